"""Parity with independent implementations by weight transfer: timm, the
official facebookresearch layout, and keras.applications."""

import numpy as np
import pytest

import keras
import keras_zoo
from keras_zoo.models.convnext.convnext_weights import load_convnext_weights

import timm
import torch
from official_convnext_reference import OfficialConvNeXt, randomize_  # noqa: E402

TINY = {"depths": (1, 1, 2, 1), "dims": (8, 16, 24, 32)}


def _images(batch, size, seed=0):
    return np.random.default_rng(seed).normal(size=(batch, size, size, 3)).astype("float32")


def _torch_logits(module, images):
    with torch.no_grad():
        return module(torch.from_numpy(images.transpose(0, 3, 1, 2))).numpy()


def _assert_logits_match(ours, reference):
    relative = np.abs(ours - reference).max() / np.abs(reference).max()
    assert relative < 1e-4, relative
    np.testing.assert_array_equal(ours.argmax(-1), reference.argmax(-1))


@pytest.mark.parametrize("suffix", [".pth", ".safetensors"])
def test_timm_convnext_tiny_checkpoint_gives_same_logits(tmp_path, suffix):
    reference = randomize_(timm.create_model("convnext_tiny", pretrained=False))
    path = str(tmp_path / f"convnext_tiny{suffix}")
    if suffix == ".pth":
        torch.save(reference.state_dict(), path)
    else:
        from safetensors.torch import save_file

        save_file(reference.state_dict(), path)
    model = keras_zoo.create_model("convnext_tiny", weights=path)
    images = _images(2, 224)
    _assert_logits_match(
        keras.ops.convert_to_numpy(model(images)), _torch_logits(reference, images)
    )


def test_official_layout_checkpoint_gives_same_logits(tmp_path):
    reference = randomize_(OfficialConvNeXt(num_classes=10, **TINY), seed=1)
    path = str(tmp_path / "official.pth")
    # The official training script nests the state dict under "model".
    torch.save({"model": reference.state_dict(), "epoch": 299}, path)
    model = keras_zoo.create_model(
        "convnext_atto", num_classes=10, input_shape=(64, 64, 3), weights=path, **TINY
    )
    images = _images(3, 64)
    _assert_logits_match(
        keras.ops.convert_to_numpy(model(images)), _torch_logits(reference, images)
    )


def test_timm_small_variant_with_conv_mlp(tmp_path):
    # timm's atto uses 1x1 convolutions for the MLP: (out, in, 1, 1) kernels.
    reference = randomize_(timm.create_model("convnext_atto", pretrained=False, num_classes=7), seed=2)
    path = str(tmp_path / "atto.pth")
    torch.save(reference.state_dict(), path)
    model = keras_zoo.create_model("convnext_atto", num_classes=7, input_shape=(64, 64, 3), weights=path)
    images = _images(2, 64)
    _assert_logits_match(
        keras.ops.convert_to_numpy(model(images)), _torch_logits(reference, images)
    )


def test_headless_models_load_classifier_checkpoints(tmp_path):
    reference = randomize_(OfficialConvNeXt(num_classes=10, **TINY), seed=3)
    path = str(tmp_path / "official.pth")
    torch.save(reference.state_dict(), path)
    images = _images(2, 64)
    pooled = keras_zoo.create_model(
        "convnext_atto", include_top=False, pooling="avg", input_shape=(64, 64, 3), weights=path, **TINY
    )
    with torch.no_grad():
        x = torch.from_numpy(images.transpose(0, 3, 1, 2))
        for downsample, stage in zip(reference.downsample_layers, reference.stages):
            x = stage(downsample(x))
        expected_map = x.numpy().transpose(0, 2, 3, 1)
        expected_pooled = reference.norm(x.mean([-2, -1])).numpy()
    np.testing.assert_allclose(keras.ops.convert_to_numpy(pooled(images)), expected_pooled, rtol=1e-4, atol=1e-4)
    backbone = keras_zoo.create_model(
        "convnext_atto", features_only=True, input_shape=(64, 64, 3), weights=path, **TINY
    )
    stage4 = keras.ops.convert_to_numpy(backbone(images)["stage4"])
    np.testing.assert_allclose(stage4, expected_map, rtol=1e-4, atol=1e-4 * np.abs(expected_map).max())


def test_new_number_of_classes_keeps_the_classifier_initialised(tmp_path):
    # Fine-tuning a 10-class checkpoint to 3 classes (timm's `num_classes=`):
    # every tensor but the classifier loads, with a warning that says so.
    reference = randomize_(OfficialConvNeXt(num_classes=10, **TINY), seed=4)
    path = str(tmp_path / "official.pth")
    torch.save(reference.state_dict(), path)
    model = keras_zoo.create_model("convnext_atto", num_classes=3, input_shape=(64, 64, 3), **TINY)
    initial_kernel = keras.ops.convert_to_numpy(model.get_layer("head_fc").kernel)
    with pytest.warns(UserWarning, match=r"'head\.fc\.weight' \(32, 10\) has 10 classes, the model 3"):
        load_convnext_weights(model, path)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(model.get_layer("head_fc").kernel), initial_kernel)
    expected_norm = reference.norm.weight.detach().numpy()
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(model.get_layer("head_norm").gamma), expected_norm)
    stem = keras.ops.convert_to_numpy(model.get_layer("backbone").get_layer("stem_conv").kernel)
    np.testing.assert_array_equal(stem, reference.downsample_layers[0][0].weight.detach().numpy().transpose(2, 3, 1, 0))


def test_mismatched_checkpoint_names_the_tensor_and_both_shapes(tmp_path):
    reference = OfficialConvNeXt(num_classes=10, **TINY)
    path = str(tmp_path / "official.pth")
    torch.save(reference.state_dict(), path)
    wider = {"depths": TINY["depths"], "dims": (8, 16, 32, 32)}
    with pytest.raises(ValueError, match=r"'stages\.2\.downsample\.1\.weight' of shape \(24, 16, 2, 2\) .*"
                       r"'stage3_downsample_conv/kernel' of shape \(2, 2, 16, 32\)"):
        keras_zoo.create_model("convnext_atto", num_classes=10, input_shape=(64, 64, 3), weights=path, **wider)
    deeper = {"depths": (1, 1, 3, 1), "dims": TINY["dims"]}
    with pytest.raises(ValueError, match=r"no tensor 'stages\.2\.blocks\.2\.conv_dw\.weight'"):
        keras_zoo.create_model("convnext_atto", num_classes=10, input_shape=(64, 64, 3), weights=path, **deeper)
    shallower = {"depths": (1, 1, 1, 1), "dims": TINY["dims"]}
    with pytest.raises(ValueError, match=r"does not use, first 'stages\.2\.blocks\.1\."):
        keras_zoo.create_model("convnext_atto", num_classes=10, input_shape=(64, 64, 3), weights=path, **shallower)


def test_unknown_weights_format_is_rejected(tmp_path):
    path = tmp_path / "weights.npz"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match=r"Unknown weights file.*\.safetensors"):
        keras_zoo.create_model("convnext_atto", num_classes=2, input_shape=(32, 32, 3), weights=str(path), **TINY)


@pytest.mark.parametrize("suffix", [".weights.h5", ".keras"])
def test_our_own_files_load_through_weights(tmp_path, suffix):
    model = keras_zoo.create_model("convnext_atto", num_classes=3, input_shape=(32, 32, 3), **TINY)
    path = str(tmp_path / f"model{suffix}")
    model.save_weights(path) if suffix == ".weights.h5" else model.save(path)
    loaded = keras_zoo.create_model("convnext_atto", num_classes=3, input_shape=(32, 32, 3), weights=path, **TINY)
    images = _images(2, 32)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(loaded(images)), keras.ops.convert_to_numpy(model(images))
    )


def test_matches_keras_applications_by_weight_transfer():
    from keras.src.applications.convnext import ConvNeXt as KerasApplicationsConvNeXt

    reference = KerasApplicationsConvNeXt(
        depths=list(TINY["depths"]), projection_dims=list(TINY["dims"]),
        include_preprocessing=False, weights=None, input_shape=(64, 64, 3),
        classes=10, classifier_activation=None, name="convnext_reference",
    )
    model = keras_zoo.create_model("convnext_atto", num_classes=10, input_shape=(64, 64, 3), **TINY)
    rng = np.random.default_rng(4)
    assert len(reference.weights) == len(model.weights)
    for theirs, ours in zip(reference.weights, model.weights):
        value = 0.5 + rng.random(theirs.shape).astype("float32") if len(theirs.shape) == 1 else (
            rng.normal(size=theirs.shape).astype("float32") / np.sqrt(np.prod(theirs.shape[:-1]))
        )
        theirs.assign(value)
        if theirs.path.endswith("depthwise_conv/kernel"):  # grouped Conv2D (7, 7, 1, C) -> (7, 7, C, 1)
            value = value.transpose(0, 1, 3, 2)
        assert tuple(value.shape) == tuple(ours.shape), (theirs.path, ours.path)
        ours.assign(value)
    images = _images(2, 64)
    _assert_logits_match(
        keras.ops.convert_to_numpy(model(images)), keras.ops.convert_to_numpy(reference(images))
    )
