import numpy as np
import pytest

import keras
from keras_zoo.layers import LayerScale
from keras_zoo.testing import check_layer


def test_layer_checks(tmp_path):
    check_layer(lambda **kw: LayerScale(1e-6, **kw), (2, 4, 4, 8), str(tmp_path))


def test_scales_each_channel_by_gamma():
    layer = LayerScale(0.5)
    x = np.ones((2, 3, 4), "float32")
    layer.build(x.shape)
    layer.gamma.assign(np.array([1.0, 2.0, 3.0, 4.0], "float32"))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x))[0, 0], [1, 2, 3, 4])


def test_initial_value():
    layer = LayerScale(1e-6)
    layer.build((None, 5))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer.gamma), np.full(5, 1e-6, "float32"))


@pytest.mark.parametrize("bad", [0, -1.0, "1e-6", None])
def test_rejects_non_positive_init_value(bad):
    with pytest.raises(ValueError, match="init_value"):
        LayerScale(bad)
