import keras
import numpy as np
import pytest

from keras_zoo.layers import ClassToken
from keras_zoo.testing import check_layer


def test_layer_checks(tmp_path):
    check_layer(lambda **kw: ClassToken(num_tokens=2, **kw), (2, 5, 6), str(tmp_path))


def test_the_learned_tokens_lead_the_sequence():
    layer = ClassToken(num_tokens=2)
    patches = np.random.default_rng(0).normal(size=(3, 4, 6)).astype("float32")
    out = keras.ops.convert_to_numpy(layer(patches))
    assert out.shape == (3, 6, 6)
    np.testing.assert_array_equal(out[:, 2:], patches)
    tokens = keras.ops.convert_to_numpy(layer.tokens)
    np.testing.assert_array_equal(out[1, :2], tokens)
    assert 0 < np.abs(tokens).max() < 1e-5  # timm: normal, std 1e-6


def test_a_bad_count_is_reported():
    with pytest.raises(ValueError, match="Received: num_tokens=0"):
        ClassToken(num_tokens=0)
