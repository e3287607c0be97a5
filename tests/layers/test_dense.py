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
