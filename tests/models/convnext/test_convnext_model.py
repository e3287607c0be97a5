import numpy as np
import pytest

import keras
import keras_zoo
from keras_zoo.models.convnext import ConvNeXtBackbone

TINY = {"depths": (1, 1, 2, 1), "dims": (8, 16, 24, 32)}


def _tiny(**overrides):
    return keras_zoo.create_model("convnext_atto", **{**TINY, "input_shape": (32, 32, 3), "num_classes": 5, **overrides})


def _images(batch=2, size=32, channels=3):
    return np.random.default_rng(0).normal(size=(batch, size, size, channels)).astype("float32")


def test_classifier_output_and_head_options():
    assert _tiny()(_images()).shape == (2, 5)
    assert _tiny(include_top=False)(_images()).shape == (2, 1, 1, 32)
    assert _tiny(include_top=False, pooling="avg")(_images()).shape == (2, 32)
    assert _tiny(include_top=False, pooling="max")(_images()).shape == (2, 32)
    probabilities = keras.ops.convert_to_numpy(_tiny(classifier_activation="softmax")(_images()))
    np.testing.assert_allclose(probabilities.sum(-1), 1.0, rtol=1e-5)


def test_any_image_size_from_32_up():
    model = _tiny(input_shape=(None, None, 3))
    for size in (32, 48, 100):
        assert model(_images(size=size)).shape == (2, 5)


def test_backbone_returns_the_four_stage_maps():
    backbone = keras_zoo.create_model("convnext_atto", features_only=True, input_shape=(64, 64, 1), **TINY)
    assert isinstance(backbone, ConvNeXtBackbone)
    features = backbone(_images(size=64, channels=1))
    assert {name: tuple(value.shape) for name, value in features.items()} == {
        "stage1": (2, 16, 16, 8),
        "stage2": (2, 8, 8, 16),
        "stage3": (2, 4, 4, 24),
        "stage4": (2, 2, 2, 32),
    }


def test_drop_path_rises_linearly_over_blocks():
    model = _tiny(drop_path_rate=0.4)
    rates = [
        layer.drop_path.rate if hasattr(layer.drop_path, "rate") else 0.0
        for layer in model.backbone.layers if layer.name.startswith("stage") and "block" in layer.name
    ]
    np.testing.assert_allclose(rates, np.linspace(0, 0.4, 5))


def test_initialisation_follows_the_paper():
    model = _tiny(num_classes=1000, head_init_scale=0.5, dims=(64, 128, 256, 512))
    block = model.backbone.get_layer("stage4_block1")
    kernel = keras.ops.convert_to_numpy(block.pwconv1.kernel)
    assert abs(kernel.std() - 0.02) < 0.001  # 512 x 2048 draws
    head = keras.ops.convert_to_numpy(model.get_layer("head_fc").kernel)
    assert abs(head.std() - 0.01) < 0.0005  # std 0.02 scaled by head_init_scale
    for layer in (block.pwconv1, block.pwconv2, block.dwconv, model.get_layer("head_fc")):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer.bias), 0)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(block.layer_scale.gamma), np.float32(1e-6))


def test_fit_with_stochastic_depth_compiled():
    # keras.applications' ConvNeXt cannot do this under JAX (keras issue 18404).
    model = _tiny(drop_path_rate=0.3, layer_scale_init_value=1.0)
    model.compile(
        optimizer=keras.optimizers.AdamW(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        jit_compile=keras.backend.backend() != "torch",
    )
    labels = np.arange(8) % 5
    before = keras.ops.convert_to_numpy(model.backbone.get_layer("stem_conv").kernel).copy()
    history = model.fit(_images(8), labels, batch_size=4, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert not np.array_equal(before, keras.ops.convert_to_numpy(model.backbone.get_layer("stem_conv").kernel))
    # Stochastic depth is active in training and off in inference.
    outputs = [keras.ops.convert_to_numpy(model(_images(8), training=True)) for _ in range(2)]
    assert not np.allclose(outputs[0], outputs[1])
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(model(_images(8))), keras.ops.convert_to_numpy(model(_images(8)))
    )


@pytest.mark.parametrize(
    "input_shape, message",
    [
        ((32, 32), r"\(height, width, channels\).*\(32, 32\)"),
        ((16, 16, 3), r"at least 32x32.*\(16, 16, 3\)"),
        ((32, 32, 0), r"channel count.*\(32, 32, 0\)"),
    ],
)
def test_bad_input_shapes_are_rejected(input_shape, message):
    with pytest.raises(ValueError, match=message):
        _tiny(input_shape=input_shape)


def test_wrong_channel_count_or_rank_at_call_time_is_rejected():
    model = _tiny()
    with pytest.raises(ValueError, match=r"Expected images of shape \(batch, height, width, 3\), channels last\. Received: inputs\.shape=\(2, 32, 32, 1\)$"):
        model(_images(channels=1))
    with pytest.raises(ValueError, match=r"Received: inputs\.shape=\(2, 32, 32\)$"):
        model(_images()[..., 0])


def test_bad_options_are_rejected():
    with pytest.raises(ValueError, match=r"pooling.*'mean'"):
        _tiny(include_top=False, pooling="mean")
    with pytest.raises(ValueError, match="num_classes=0"):
        _tiny(num_classes=0)
    with pytest.raises(ValueError, match=r"drop_path_rate=1\.0"):
        _tiny(drop_path_rate=1.0)
    with pytest.raises(ValueError, match=r"4 values.*depths=\(1, 2\)"):
        _tiny(depths=(1, 2))
    with pytest.raises(ValueError, match=r"features_only=True.*num_classes"):
        keras_zoo.create_model("convnext_atto", features_only=True, num_classes=3)


def test_unknown_variant_names_the_closest_match():
    with pytest.raises(ValueError, match=r"Unknown model 'convnext_tiy'\. Did you mean 'convnext_tiny'\? Available: .*convnext_xlarge"):
        keras_zoo.create_model("convnext_tiy")
