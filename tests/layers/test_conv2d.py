import keras
import numpy as np
import pytest

from keras_zoo.layers import Conv2D
from keras_zoo.testing import check_layer
from keras_zoo.testing import check_same_as_keras

SHAPE = (2, 9, 8, 4)


def test_layer_checks(tmp_path):
    check_layer(lambda **kw: Conv2D(6, 2, strides=2, **kw), SHAPE, str(tmp_path))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kernel_size": 4, "strides": 4},  # ConvNeXt's stem (the map 9 wide: the last column dropped)
        {"kernel_size": 2, "strides": 2},  # ConvNeXt's downsampling
        {"kernel_size": (3, 5), "padding": "same"},
        {"kernel_size": 3, "padding": "same", "groups": 2},
        {"kernel_size": 4, "padding": "same"},  # asymmetric: Keras' own path
        {"kernel_size": 3, "strides": 2, "padding": "same"},  # asymmetric: Keras' own path
    ],
)
def test_computes_as_the_keras_layer(kwargs):
    kwargs = {**kwargs, "bias_initializer": "random_normal", "activation": "relu"}
    check_same_as_keras(lambda: Conv2D(6, **kwargs), lambda: keras.layers.Conv2D(6, **kwargs), SHAPE)


def test_adds_the_bias_inside_the_convolution_on_torch(fused_calls):
    x = np.ones(SHAPE, "float32")
    Conv2D(6, 4, strides=4)(x)
    Conv2D(6, 3, padding="same")(x)
    assert fused_calls["biased_conv2d"] == 2
    for kwargs in ({"kernel_size": 4, "padding": "same"}, {"kernel_size": 3, "strides": 2, "padding": "same"},
                   {"kernel_size": 3, "dilation_rate": 2}, {"kernel_size": 3, "use_bias": False}):
        Conv2D(6, **kwargs)(x)  # Keras' own path
    assert fused_calls["biased_conv2d"] == 2
