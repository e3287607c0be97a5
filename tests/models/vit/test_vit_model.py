"""The ViT / DeiT family: variants (parameter counts equal timm's),
initialisation, stochastic depth, any image size, layer groups, errors.
Parity with timm and Hugging Face: test_vit_weights.py; the registry-wide
checks (config, .keras file, fit step, mixed precision):
tests/models/test_registered_models.py."""

import keras
import numpy as np
import pytest
import timm
import torch

import keras_zoo
from keras_zoo.models.vit import VIT_VARIANTS, ViTBackbone, vit_macs
from keras_zoo.optimizers import layerwise_lr_multipliers
from vit_references import SMALL, images

# The figures (timm's, at 1000 classes); every variant is also checked against timm itself.
PUBLISHED_COUNTS = {"vit_base_patch16_224": 86_567_656, "vit_small_patch16_224": 22_050_664,
                    "vit_tiny_patch16_224": 5_717_416, "vit_large_patch16_224": 304_326_632}
TIMM_VARIANTS = sorted(set(VIT_VARIANTS) - {"vit_micro_patch4_32"})


def _small(**overrides):
    head = {} if overrides.get("features_only") else {"num_classes": 5}
    return keras_zoo.create_model("vit_micro_patch4_32", **{**SMALL, **head, **overrides})


def _timm_count(name):
    with torch.device("meta"):  # counted without allocating
        return sum(p.numel() for p in timm.create_model(name, num_classes=1000).parameters())


def _count(name, depth=None):
    return keras_zoo.create_model(name, **({} if depth is None else {"depth": depth})).count_params()


@pytest.mark.slow
@pytest.mark.parametrize("name", TIMM_VARIANTS)
def test_parameter_counts_equal_timms(name):
    depth = VIT_VARIANTS[name]["depth"]
    if VIT_VARIANTS[name]["hidden_dim"] <= 384:
        ours = _count(name)
    else:
        # Large widths: built with one and two blocks, the rest extrapolated
        # (the blocks are identical), so any change of a block or of the
        # embedding and head still changes the count.
        one, two = _count(name, 1), _count(name, 2)
        ours = one + (depth - 1) * (two - one)
    assert ours == _timm_count(name)
    assert ours == PUBLISHED_COUNTS.get(name, ours)


def test_macs_of_vit_base_patch16_224():
    # 17.56 GMACs: fvcore's (timm's model card) figure for ViT-B/16, "17.6 GFLOPs".
    assert round(vit_macs(**{k: v for k, v in VIT_VARIANTS["vit_base_patch16_224"].items()}) / 1e9, 2) == 17.56


def test_initialisation_follows_timm():
    model = _small(hidden_dim=256, num_heads=4, depth=1, num_classes=1000)
    block = model.backbone.get_layer("block1")
    for dense in (block.self_attention.query_dense, block.feed_forward.intermediate_dense, model.get_layer("head_fc")):
        kernel = keras.ops.convert_to_numpy(dense.kernel)
        assert abs(kernel.std() - 0.02) < 0.001 and abs(kernel).max() > 0.08  # a plain normal, not truncated at 2 std
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(dense.bias), 0.0)
    positions = keras.ops.convert_to_numpy(model.backbone.get_layer("position_embedding").position_embeddings)
    assert abs(positions.std() - 0.02) < 0.002
    token = keras.ops.convert_to_numpy(model.backbone.get_layer("class_token").tokens)
    assert 0 < abs(token).max() < 1e-5  # normal, std 1e-6
    patches = keras.ops.convert_to_numpy(model.backbone.get_layer("patch_embedding").projection.kernel)
    bound = 1 / np.sqrt(8 * 8 * 3)  # PyTorch's Conv2d default: U(+-1/sqrt(fan_in))
    assert patches.max() <= bound and patches.max() > 0.95 * bound


def test_drop_path_rises_linearly_and_is_random_only_in_training():
    model = _small(depth=4, drop_path_rate=0.3, seed=0)
    rates = [model.backbone.get_layer(f"block{i}").drop_path_rate for i in range(1, 5)]
    np.testing.assert_allclose(rates, np.linspace(0, 0.3, 4))
    batch = images(8, 32)
    inference = keras.ops.convert_to_numpy(model(batch))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(model(batch)), inference)
    first, second = (keras.ops.convert_to_numpy(model(batch, training=True)) for _ in range(2))
    assert not np.allclose(first, inference) and not np.allclose(first, second)


def test_any_image_size_at_run_time_and_token_maps():
    model = _small(input_shape=(None, None, 3), position_grid=4, feature_blocks=(1, 2), features_only=True)
    for height, width in ((32, 32), (48, 64)):
        features = model(images(2, height, width))
        assert tuple(features["tokens"].shape) == (2, 1 + height // 8 * width // 8, 32)
        assert tuple(features["block2"].shape) == (2, height // 8, width // 8, 32)
    # The maps are the block's patch tokens, row-major: a map (2, 6, 8) at 48x64.
    block2 = keras.Model(model.input, model.get_layer("block2").output)
    tokens = keras.ops.convert_to_numpy(block2(images(1, 48, 64)))[0, 1:]
    grid = keras.ops.convert_to_numpy(model(images(1, 48, 64))["block2"])[0]
    np.testing.assert_array_equal(grid.reshape(-1, 32), tokens)


def test_global_pool_avg_pools_the_patch_tokens_then_norms():
    model = _small(global_pool="avg", input_shape=(32, 32, 3))
    assert model.backbone.get_layer("position_embedding") is not None
    assert "norm" not in [layer.name for layer in model.backbone.layers]  # timm: fc_norm after pooling instead
    assert model.get_layer("head_norm").epsilon == 1e-6
    features = ViTBackbone(**SMALL, input_shape=(32, 32, 3), global_pool="avg")
    headless = ImageClassifierOver(features)
    tokens = keras.ops.convert_to_numpy(features(images(2, 32))["tokens"])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(headless(images(2, 32))), tokens[:, 1:].mean(1), rtol=1e-5)


def ImageClassifierOver(backbone):
    from keras_zoo.models import ImageClassifier

    return ImageClassifier(backbone, include_top=False, pooling="avg")


def test_layer_groups_follow_mae():
    model = _small(depth=3)
    groups = model.layer_group_ids()
    assert groups["patch_embedding/projection/kernel"] == 0
    assert groups["class_token/tokens"] == 0 and groups["position_embedding/embeddings"] == 0
    assert {groups[v.path] for v in model.backbone.get_layer("block2").trainable_variables} == {2}
    assert groups["norm/gamma"] == groups["head_fc/kernel"] == 4  # MAE: final norm with the head
    multipliers = layerwise_lr_multipliers(model, 0.75)
    assert multipliers["head_fc/kernel"] == 1.0 and multipliers["patch_embedding/projection/kernel"] == 0.75**4


def test_saved_at_one_size_loads_at_another(tmp_path):
    small = _small(input_shape=(32, 32, 3))
    path = str(tmp_path / "vit.weights.h5")
    small.save_weights(path)
    large = keras_zoo.create_model("vit_micro_patch4_32", **SMALL, num_classes=5, input_shape=(64, 64, 3),
                                   weights=path)
    table = keras.ops.convert_to_numpy(large.backbone.get_layer("position_embedding").position_embeddings)
    assert table.shape == (1 + 8 * 8, 32)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(large.get_layer("head_fc").kernel),
                                  keras.ops.convert_to_numpy(small.get_layer("head_fc").kernel))


@pytest.mark.parametrize("call, match", [
    (lambda: _small(input_shape=(30, 32, 3)), r"multiples of the patch size \(8, 8\).*Received: input_shape=\(30, 32, 3\)"),
    (lambda: ViTBackbone(**SMALL, input_shape=(None, None, 3)), "With None image sides, pass `position_grid`"),
    (lambda: _small(global_pool="max"), r"`global_pool` must be one of \('token', 'avg'\). Received: global_pool='max'"),
    (lambda: _small(feature_blocks=(0,), features_only=True), r"from 1 to depth=2. Received: feature_blocks=\(0,\)"),
    (lambda: _small(num_heads=0), "Received: num_heads=0"),
    (lambda: _small(drop_path_rate=1.0), r"`drop_path_rate` must be in \[0, 1\)"),
    (lambda: keras_zoo.create_model("vit_base_patch16", num_classes=3), "Did you mean 'vit_base_patch16_224'"),
])
def test_bad_arguments_get_one_clear_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
