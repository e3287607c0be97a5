"""TransformerEncoderLayer, TransformerDecoderLayer and FeedForward."""

import keras
import numpy as np
import pytest

from keras_zoo.layers.feed_forward import FeedForward
from keras_zoo.layers.transformer_decoder_layer import TransformerDecoderLayer
from keras_zoo.layers.transformer_encoder_layer import TransformerEncoderLayer

B, T, S, WIDTH, HEADS = 2, 6, 5, 16, 4


def _sequence(length, seed=0):
    return np.random.default_rng(seed).normal(size=(B, length, WIDTH)).astype("float32")


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


@pytest.mark.parametrize("normalize_first", [False, True])
def test_encoder_ignores_padded_positions(normalize_first):
    layer = TransformerEncoderLayer(32, HEADS, normalize_first=normalize_first)
    x = _sequence(T)
    padding = np.ones((B, T), bool)
    padding[0, -2:] = False
    changed = x.copy()
    changed[0, -2:] = 50.0
    a, b = _numpy(layer(x, padding_mask=padding)), _numpy(layer(changed, padding_mask=padding))
    assert a.shape == (B, T, WIDTH)
    np.testing.assert_allclose(a[0, :-2], b[0, :-2], atol=1e-5)
    np.testing.assert_allclose(a[1], b[1], atol=1e-5)
    assert not np.allclose(_numpy(layer(changed)), a, atol=1e-3)  # unmasked: it would change


def test_post_norm_output_is_normalised_and_pre_norm_is_not():
    x = _sequence(T) * 5 + 3
    post = _numpy(TransformerEncoderLayer(32, HEADS)(x))
    np.testing.assert_allclose(post.mean(-1), 0.0, atol=1e-4)
    pre = _numpy(TransformerEncoderLayer(32, HEADS, normalize_first=True)(x))
    assert np.abs(pre.mean(-1)).max() > 0.5


@pytest.mark.parametrize("normalize_first", [False, True])
def test_decoder_is_causal(normalize_first):
    layer = TransformerDecoderLayer(32, HEADS, normalize_first=normalize_first)
    x, memory = _sequence(T), _sequence(S, seed=1)
    changed = x.copy()
    changed[:, 3:] = -7.0
    a, b = _numpy(layer(x, memory)), _numpy(layer(changed, memory))
    np.testing.assert_allclose(a[:, :3], b[:, :3], atol=1e-5)
    assert not np.allclose(a[:, 3:], b[:, 3:], atol=1e-3)


def test_decoder_ignores_padded_encoder_positions():
    layer = TransformerDecoderLayer(32, HEADS)
    x, memory = _sequence(T), _sequence(S, seed=1)
    padding = np.ones((B, S), bool)
    padding[1, -2:] = False
    changed = memory.copy()
    changed[1, -2:] = 9.0
    np.testing.assert_allclose(_numpy(layer(x, memory, encoder_padding_mask=padding)),
                               _numpy(layer(x, changed, encoder_padding_mask=padding)), atol=1e-5)


def test_decoder_cache_equals_recompute():
    layer = TransformerDecoderLayer(32, HEADS)
    x, memory = _sequence(T), _sequence(S, seed=1)
    full = _numpy(layer(x, memory))
    cache = keras.ops.zeros((B, 2, HEADS, T, WIDTH // HEADS))
    for step in range(T):
        out, cache = layer(x[:, step : step + 1], memory, self_attention_cache=cache, cache_index=step)
        np.testing.assert_allclose(_numpy(out)[:, 0], full[:, step], atol=1e-5)


def test_decoder_without_encoder_is_a_decoder_only_block():
    layer = TransformerDecoderLayer(32, HEADS)
    out = layer(_sequence(T))
    assert out.shape == (B, T, WIDTH) and not hasattr(layer, "cross_attention")
    with pytest.raises(ValueError, match="cross-attention"):
        layer(_sequence(T), _sequence(S))


def test_dropout_is_seeded_and_only_active_in_training():
    x, memory = _sequence(T), _sequence(S, seed=1)
    layer = TransformerDecoderLayer(32, HEADS, dropout=0.5, seed=4)
    np.testing.assert_array_equal(_numpy(layer(x, memory)), _numpy(layer(x, memory)))
    first = _numpy(layer(x, memory, training=True))
    assert not np.allclose(first, _numpy(layer(x, memory)))
    again = TransformerDecoderLayer(32, HEADS, dropout=0.5, seed=4)
    again.build(x.shape, memory.shape)
    again.set_weights(layer.get_weights())
    np.testing.assert_array_equal(_numpy(again(x, memory, training=True)), first)


@pytest.mark.parametrize("cls", [TransformerEncoderLayer, TransformerDecoderLayer])
def test_keras_file_round_trip(cls, tmp_path):
    layer = cls(32, HEADS, dropout=0.2, attention_dropout=0.1, activation="gelu",
                normalize_first=True, layer_norm_epsilon=1e-5, seed=2)
    assert cls.from_config(layer.get_config()).get_config() == layer.get_config()
    x = keras.Input((T, WIDTH))
    model = keras.Model(x, layer(x))
    path = tmp_path / "layer.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(_numpy(model(_sequence(T))), _numpy(loaded(_sequence(T))))


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision(policy):
    layer = TransformerDecoderLayer(32, HEADS, dtype=policy)
    out = layer(_sequence(T), _sequence(S, seed=1))
    assert keras.backend.standardize_dtype(out.dtype) == policy.split("_")[1]
    assert all(w.dtype == "float32" for w in layer.weights)
    assert np.all(np.isfinite(_numpy(keras.ops.cast(out, "float32"))))


def test_encoder_trains_one_step():
    x = keras.Input((T, WIDTH))
    model = keras.Model(x, TransformerEncoderLayer(32, HEADS, seed=0)(x))
    model.compile(optimizer="adam", loss="mse")
    before = model.get_weights()
    assert np.isfinite(model.train_on_batch(_sequence(T), _sequence(T, seed=3)))
    assert sum(not np.array_equal(a, b) for a, b in zip(before, model.get_weights())) == len(before)


def test_feed_forward_shape_and_config():
    layer = FeedForward(12, activation="gelu", dropout=0.1, seed=1)
    assert layer(_sequence(T)).shape == (B, T, WIDTH)
    assert FeedForward.from_config(layer.get_config()).get_config() == layer.get_config()


@pytest.mark.parametrize("bad", [{"num_heads": 0}, {"intermediate_dim": 0}, {"dropout": -0.1}])
def test_invalid_arguments_are_reported(bad):
    args = {"intermediate_dim": 8, "num_heads": 2, **bad}
    with pytest.raises(ValueError, match=f"Received: {next(iter(bad))}="):
        TransformerEncoderLayer(**args)
    with pytest.raises(ValueError, match="divisible by num_heads"):
        TransformerEncoderLayer(8, 3)(_sequence(T))
