import numpy as np
import keras
import pytest

from keras_zoo.layers import Dense
from keras_zoo.testing import check_layer
from keras_zoo.testing import check_same_as_keras

SHAPE = (2, 3, 5, 4)  # the ConvNeXt use: a Dense over the channels of an image


def test_layer_checks(tmp_path):
    check_layer(lambda **kw: Dense(6, activation="gelu", **kw), SHAPE, str(tmp_path))


@pytest.mark.parametrize("lora_rank", [None, 2])
def test_computes_as_the_keras_layer(lora_rank):
    kwargs = {"activation": "gelu", "bias_initializer": "random_normal"}
    check_same_as_keras(lambda: Dense(6, **kwargs), lambda: keras.layers.Dense(6, **kwargs), SHAPE, lora_rank)


def test_adds_the_bias_inside_the_product_on_torch(fused_calls):
    x = np.ones(SHAPE, "float32")
    Dense(6)(x)
    assert fused_calls["biased_matmul"] == 1
    Dense(6, use_bias=False)(x)  # nothing to fuse: Keras' matmul
    assert fused_calls["biased_matmul"] == 1


@pytest.mark.parametrize("activation", ["gelu", "relu"])
def test_inference_with_the_activation_inside_the_product_on_torch(fused_calls, monkeypatch, activation):
    # In CPU inference oneDNN applies GELU/ReLU in the product's kernel; the
    # result is Keras' Dense's. The size bar is lowered to reach it on a small input.
    import torch

    from keras_zoo.backend import biased_ops

    monkeypatch.setattr(biased_ops, "MIN_FUSED_ACTIVATION_VALUES", 1)
    post_ops = []
    choose = biased_ops.onednn_activation
    monkeypatch.setattr(biased_ops, "onednn_activation", lambda *a: post_ops.append(choose(*a)) or post_ops[-1])
    kwargs = {"activation": activation, "bias_initializer": "random_normal", "kernel_initializer": "random_normal"}
    ours, theirs = Dense(6, **kwargs), keras.layers.Dense(6, **kwargs)
    ours.build(SHAPE)
    theirs.build(SHAPE)
    theirs.set_weights(ours.get_weights())
    x = np.random.default_rng(0).normal(size=SHAPE).astype("float32")
    with torch.no_grad():
        outputs = keras.ops.convert_to_numpy(ours(x))
    assert post_ops[-1] == biased_ops.ONEDNN_ACTIVATIONS[keras.activations.get(activation)]
    np.testing.assert_allclose(outputs, keras.ops.convert_to_numpy(theirs(x)), rtol=1e-5, atol=1e-6)


def test_activation_inside_the_product_only_where_it_applies(fused_calls):
    import torch

    from keras_zoo.backend.biased_ops import onednn_activation

    gelu = keras.activations.gelu
    big = torch.zeros(4096, 64), torch.zeros(64, 1024), torch.zeros(1024)  # 4M output values: the bar
    small = torch.zeros(4095, 64), torch.zeros(64, 1024), torch.zeros(1024)
    with torch.no_grad():
        assert onednn_activation(*big, gelu) == ("gelu", "none")
        assert onednn_activation(*big, keras.activations.relu) == ("relu", "")
        assert onednn_activation(*small, gelu) is None
        assert onednn_activation(*big, keras.activations.silu) is None  # no such post-op here
        assert onednn_activation(*big, lambda x: gelu(x, approximate=True)) is None
        assert onednn_activation(*(t.double() for t in big), gelu) is None
    trainable = big[0], torch.nn.Parameter(big[1]), big[2]
    assert onednn_activation(*trainable, gelu) is None  # no gradient in the kernel: not while one is recorded
