import keras
import numpy as np
import pytest

from keras_zoo.layers import PatchTokenPooling
from keras_zoo.testing import check_layer


def test_layer_checks(tmp_path):
    check_layer(lambda **kw: PatchTokenPooling("avg", 1, **kw), (2, 5, 6), str(tmp_path))


@pytest.mark.parametrize("pooling, reduce", [("avg", np.mean), ("max", np.max)])
def test_the_prefix_tokens_are_left_out(pooling, reduce):
    tokens = np.random.default_rng(0).normal(size=(2, 7, 3)).astype("float32")
    tokens[:, :2] = 100.0  # would dominate either pooling
    out = keras.ops.convert_to_numpy(PatchTokenPooling(pooling, num_prefix_tokens=2)(tokens))
    np.testing.assert_allclose(out, reduce(tokens[:, 2:], axis=1), rtol=1e-6)


def test_bad_arguments_are_reported():
    with pytest.raises(ValueError, match="Received: pooling='token'"):
        PatchTokenPooling("token")
    with pytest.raises(ValueError, match="Received: num_prefix_tokens=-1"):
        PatchTokenPooling("avg", -1)
