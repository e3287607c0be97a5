import keras
import numpy as np
import pytest

from keras_zoo.layers.positional_encoding import LearnedPositionEmbedding, SinusoidalPositionEncoding


def test_sinusoidal_matches_the_papers_formula():
    d, length = 8, 6
    encoding = keras.ops.convert_to_numpy(SinusoidalPositionEncoding()(np.zeros((2, length, d), "float32")))
    pos, i = np.arange(length)[:, None], np.arange(d // 2)[None, :]
    angle = pos / 10000 ** (2 * i / d)
    assert encoding.shape == (2, length, d)
    np.testing.assert_allclose(encoding[1, :, 0::2], np.sin(angle), atol=1e-6)
    np.testing.assert_allclose(encoding[1, :, 1::2], np.cos(angle), atol=1e-6)


@pytest.mark.parametrize("make", [SinusoidalPositionEncoding, lambda: LearnedPositionEmbedding(10)])
def test_start_index_selects_later_positions(make):
    layer = make()
    full = keras.ops.convert_to_numpy(layer(np.zeros((1, 10, 4), "float32")))
    part = keras.ops.convert_to_numpy(layer(np.zeros((1, 3, 4), "float32"), start_index=4))
    np.testing.assert_allclose(part[0], full[0, 4:7], atol=1e-6)


@pytest.mark.parametrize("layer", [SinusoidalPositionEncoding(500.0), LearnedPositionEmbedding(7, initializer="ones")])
def test_config_round_trip(layer):
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()


def test_half_precision_returns_the_compute_dtype():
    out = SinusoidalPositionEncoding(dtype="mixed_float16")(np.zeros((1, 3, 4), "float16"))
    assert keras.backend.standardize_dtype(out.dtype) == "float16"
    learned = LearnedPositionEmbedding(5, dtype="mixed_bfloat16")
    out = learned(np.zeros((1, 3, 4), "float32"))
    assert keras.backend.standardize_dtype(out.dtype) == "bfloat16"
    assert learned.position_embeddings.dtype == "float32"


def test_invalid_arguments_are_reported():
    with pytest.raises(ValueError, match="Received: sequence_length=0"):
        LearnedPositionEmbedding(0)
    with pytest.raises(ValueError, match="Received: max_wavelength=1"):
        SinusoidalPositionEncoding(1)
