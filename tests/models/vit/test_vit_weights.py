"""ViT parity with timm and Hugging Face by weight transfer, every parameter
perturbed: logits within 1e-5 relative, the same argmax; at another
resolution than the checkpoint's (resampled on load, or at run time)."""

import keras
import numpy as np
import pytest
import timm
import torch
from safetensors.torch import save_file
from timm.models.vision_transformer import VisionTransformer, checkpoint_filter_fn
from transformers import ViTConfig, ViTForImageClassification, ViTModel

import keras_zoo
from vit_references import SMALL, assert_logits_match, images, perturb_, torch_logits


def _timm(seed=0, **kwargs):
    config = {"img_size": 32, "patch_size": SMALL["patch_size"], "embed_dim": SMALL["hidden_dim"],
              "depth": SMALL["depth"], "num_heads": SMALL["num_heads"], "num_classes": 5, **kwargs}
    return perturb_(VisionTransformer(**config), seed)


def _save(state, path):
    if str(path).endswith(".safetensors"):
        save_file({k: v.contiguous() for k, v in state.items()}, str(path))
    else:
        torch.save(state, str(path))
    return str(path)


def _ours(path, **overrides):
    return keras_zoo.create_model("vit_micro_patch4_32", weights=path, **{**SMALL, "num_classes": 5, **overrides})


def _logits(model, batch):
    return keras.ops.convert_to_numpy(model(batch))


@pytest.mark.parametrize("suffix", [".pth", ".safetensors"])
def test_timm_checkpoint_gives_the_same_logits(tmp_path, suffix):
    reference = _timm()
    model = _ours(_save(reference.state_dict(), tmp_path / f"vit{suffix}"), input_shape=(32, 32, 3))
    batch = images(3, 32)
    assert_logits_match(_logits(model, batch), torch_logits(reference, batch))


@pytest.mark.parametrize("options", [{"global_pool": "avg"}, {"init_values": 0.5}], ids=["avg_pool", "layer_scale"])
def test_timm_options_map_too(tmp_path, options):
    reference = _timm(seed=1, **options)
    ours = {"global_pool": options.get("global_pool", "token"), "layer_scale_init_value": options.get("init_values")}
    model = _ours(_save(reference.state_dict(), tmp_path / "vit.pth"), input_shape=(32, 32, 3), **ours)
    batch = images(2, 32, seed=1)
    assert_logits_match(_logits(model, batch), torch_logits(reference, batch))


@pytest.mark.slow
def test_full_size_timm_vit_base_patch16_224(tmp_path):
    reference = perturb_(timm.create_model("vit_base_patch16_224", pretrained=False), seed=2)
    model = keras_zoo.create_model("vit_base_patch16_224", weights=_save(reference.state_dict(), tmp_path / "b16.pth"))
    assert model.count_params() == 86_567_656
    batch = images(2, 224, seed=2)
    assert_logits_match(_logits(model, batch), torch_logits(reference, batch))


def test_a_224_checkpoint_at_384_matches_timms_resampled_model(tmp_path):
    small_224 = dict(img_size=224, patch_size=16)
    checkpoint = _timm(seed=3, **small_224).state_dict()
    reference = _timm(seed=4, img_size=384, patch_size=16)  # its own weights are replaced
    reference.load_state_dict(checkpoint_filter_fn(checkpoint, reference))  # timm's resampling (antialiased bicubic)
    model = _ours(_save(checkpoint, tmp_path / "vit224.pth"), patch_size=16, input_shape=(384, 384, 3))
    assert model.backbone.get_layer("position_embedding").grid_size == (24, 24)
    batch = images(2, 384, seed=3)
    assert_logits_match(_logits(model, batch), torch_logits(reference.eval(), batch))


def test_any_image_size_at_run_time_matches_timms_dynamic_img_size(tmp_path):
    reference = _timm(seed=5, img_size=224, patch_size=16, dynamic_img_size=True)
    model = _ours(_save(reference.state_dict(), tmp_path / "vit.pth"), patch_size=16, input_shape=(None, None, 3),
                  position_grid=14)  # timm's img_size=224
    for height, width in ((160, 160), (224, 224), (192, 288)):
        batch = images(2, height, width, seed=height)
        assert_logits_match(_logits(model, batch), torch_logits(reference, batch))


def _hugging_face(seed=0, classes=5):
    config = ViTConfig(hidden_size=SMALL["hidden_dim"], num_hidden_layers=SMALL["depth"],
                       num_attention_heads=SMALL["num_heads"], intermediate_size=4 * SMALL["hidden_dim"],
                       image_size=32, patch_size=SMALL["patch_size"], num_labels=classes,
                       layer_norm_eps=1e-6, hidden_act="gelu")  # Hugging Face's default eps is 1e-12
    return perturb_(ViTForImageClassification(config), seed)


def _save_pretrained(model, directory, filename):
    """The Hub's layout: what `save_pretrained` writes (the names before
    transformers 5), as model.safetensors or the older pytorch_model.bin;
    "state_dict.pth": transformers 5's module names, saved by hand."""
    if filename == "state_dict.pth":
        return _save(model.state_dict(), directory / filename)
    model.save_pretrained(directory)
    written = str(directory / "model.safetensors")
    if filename == "pytorch_model.bin":
        from safetensors.torch import load_file

        torch.save(load_file(written), str(directory / filename))
        return str(directory / filename)
    return written


@pytest.mark.parametrize("filename", ["model.safetensors", "pytorch_model.bin", "state_dict.pth"])
def test_hugging_face_vit_for_image_classification_gives_the_same_logits(tmp_path, filename):
    reference = _hugging_face(seed=6)
    model = _ours(_save_pretrained(reference, tmp_path, filename), input_shape=(32, 32, 3))
    batch = images(3, 32, seed=6)
    assert_logits_match(_logits(model, batch), torch_logits(reference, batch))


def test_hugging_face_vit_model_loads_into_a_headless_model(tmp_path):
    encoder = perturb_(ViTModel(_hugging_face().config), seed=7)  # with a pooler, which we do not have
    path = _save_pretrained(encoder, tmp_path, "model.safetensors")
    model = keras_zoo.create_model("vit_micro_patch4_32", weights=path, features_only=True, **SMALL)
    assert sorted(model.output) == ["block1", "block2", "tokens"]  # timm's last three blocks, of two
    batch = images(2, 32, seed=7)
    with torch.no_grad():
        expected = encoder(torch.from_numpy(batch.transpose(0, 3, 1, 2))).last_hidden_state.numpy()
    ours = keras.ops.convert_to_numpy(model(batch)["tokens"])
    assert np.abs(ours - expected).max() / np.abs(expected).max() < 1e-5


def test_a_new_class_count_keeps_the_classifier_and_loads_the_rest(tmp_path):
    reference = _timm(seed=8)
    path = _save(reference.state_dict(), tmp_path / "vit.pth")
    with pytest.warns(UserWarning, match=r"'head\.weight' \(32, 5\) has 5 classes, the model 3"):
        model = _ours(path, input_shape=(32, 32, 3), num_classes=3)
    block = reference.blocks[1].mlp.fc2.weight.detach().numpy().T
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(model.backbone.get_layer("block2").feed_forward
                                                             .output_dense.kernel), block)


def test_mismatches_name_the_tensor_and_both_shapes(tmp_path):
    path = _save(_timm(seed=9).state_dict(), tmp_path / "vit.pth")
    with pytest.raises(ValueError, match=r"'blocks\.0\.mlp\.fc1\.weight' of shape \(128, 32\) .* \(32, 64\)"):
        _ours(path, input_shape=(32, 32, 3), mlp_ratio=2.0)
    with pytest.raises(ValueError, match=r"does not use, first 'blocks\.1\."):
        _ours(path, input_shape=(32, 32, 3), depth=1)
    with pytest.raises(ValueError, match=r"no tensor 'blocks\.0\.ls1\.gamma'"):
        _ours(path, input_shape=(32, 32, 3), layer_scale_init_value=1e-5)
    other = _save({"stem.0.weight": torch.zeros(2)}, tmp_path / "other.pth")
    with pytest.raises(ValueError, match="Not a ViT checkpoint in timm's or Hugging Face's layout"):
        _ours(other, input_shape=(32, 32, 3))
