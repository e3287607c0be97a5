import keras
import numpy as np
import pytest

from keras_zoo.layers import TokenGrid


def test_patch_tokens_become_a_row_major_map():
    tokens = np.random.default_rng(0).normal(size=(2, 1 + 3 * 4, 5)).astype("float32")
    grid = np.zeros((2, 3, 4, 7), "float32")  # only its (h, w) is read
    out = keras.ops.convert_to_numpy(TokenGrid(1)(tokens, grid))
    assert out.shape == (2, 3, 4, 5)
    np.testing.assert_array_equal(out[:, 1, 2], tokens[:, 1 + 1 * 4 + 2])


def test_it_round_trips_in_a_functional_model_of_any_size(tmp_path):
    tokens = keras.Input((None, 5))
    grid = keras.Input((None, None, 2))
    model = keras.Model([tokens, grid], TokenGrid(1, name="grid")(tokens, grid))
    path = str(tmp_path / "grid.keras")
    model.save(path)
    restored = keras.saving.load_model(path)
    x = np.arange(2 * 7 * 5, dtype="float32").reshape(2, 7, 5)
    out = keras.ops.convert_to_numpy(restored([x, np.zeros((2, 2, 3, 2), "float32")]))
    np.testing.assert_array_equal(out, x[:, 1:].reshape(2, 2, 3, 5))


def test_a_bad_count_is_reported():
    with pytest.raises(ValueError, match="Received: num_prefix_tokens=1.5"):
        TokenGrid(1.5)
