import keras
import numpy as np
import pytest
import torch

from keras_zoo.layers.multi_head_attention import MultiHeadAttention, causal_mask

B, TQ, TK, WIDTH, HEADS = 2, 5, 7, 16, 4


def _inputs(seed=0):
    rng = np.random.default_rng(seed)
    query = rng.normal(size=(B, TQ, WIDTH)).astype("float32")
    value = rng.normal(size=(B, TK, WIDTH)).astype("float32")
    return query, value


def _randomize(layer, seed=1):
    """Random normal values in every kernel and bias: default zero biases
    would hide a wrong bias mapping."""
    rng = np.random.default_rng(seed)
    for weight in layer.weights:
        scale = weight.shape[0] ** -0.5 if len(weight.shape) == 2 else 0.5  # kernels ~ N(0, 1/fan_in)
        weight.assign(rng.normal(0.0, scale, weight.shape).astype("float32"))


def _padding_mask():  # (B, TK), True = real token; row 1 has 3 padded keys
    mask = np.ones((B, TK), bool)
    mask[1, -3:] = False
    return mask


def test_matches_torch_multihead_attention_by_weight_transfer():
    query, value = _inputs()
    key = np.random.default_rng(5).normal(size=value.shape).astype("float32")  # not the value
    padding = _padding_mask()
    causal = np.tril(np.ones((TQ, TK), bool))  # query i sees keys 0..i
    layer = MultiHeadAttention(HEADS, WIDTH // HEADS)
    layer.build(query.shape, value.shape, key.shape)
    _randomize(layer)
    ours = layer(query, value, key=key, attention_mask=padding[:, None, :] & causal[None])

    reference = torch.nn.MultiheadAttention(WIDTH, HEADS, batch_first=True)
    kernels = [keras.ops.convert_to_numpy(d.kernel).T for d in
               (layer.query_dense, layer.key_dense, layer.value_dense)]
    biases = [keras.ops.convert_to_numpy(d.bias) for d in
              (layer.query_dense, layer.key_dense, layer.value_dense)]
    with torch.no_grad():
        reference.in_proj_weight.copy_(torch.from_numpy(np.concatenate(kernels)))
        reference.in_proj_bias.copy_(torch.from_numpy(np.concatenate(biases)))
        reference.out_proj.weight.copy_(torch.from_numpy(keras.ops.convert_to_numpy(layer.output_dense.kernel).T))
        reference.out_proj.bias.copy_(torch.from_numpy(keras.ops.convert_to_numpy(layer.output_dense.bias)))
        expected, _ = reference(
            torch.from_numpy(query), torch.from_numpy(key), torch.from_numpy(value),
            key_padding_mask=torch.from_numpy(~padding), attn_mask=torch.from_numpy(~causal),
        )
    np.testing.assert_allclose(keras.ops.convert_to_numpy(ours), expected.numpy(), atol=1e-5, rtol=1e-5)


def test_masked_keys_get_no_weight_and_a_fully_masked_row_gives_no_nan():
    query, value = _inputs()
    mask = np.broadcast_to(_padding_mask()[:, None, :], (B, TQ, TK)).copy()
    mask[0, 2, :] = False  # query 2 of row 0 may attend nowhere
    layer = MultiHeadAttention(HEADS, WIDTH // HEADS)
    layer.build(query.shape, value.shape)
    _randomize(layer)  # a non-zero output bias, for the last check
    output, weights = layer(query, value, attention_mask=mask, return_attention_scores=True)
    output, weights = keras.ops.convert_to_numpy(output), keras.ops.convert_to_numpy(weights)
    assert weights.dtype == np.float32 and weights.shape == (B, HEADS, TQ, TK)
    assert np.all(weights[np.broadcast_to(~mask[:, None], weights.shape)] == 0.0)
    np.testing.assert_allclose(weights[1].sum(-1), 1.0, rtol=1e-6)
    assert np.all(np.isfinite(output))
    assert np.all(weights[0, :, 2] == 0.0)
    # With no weights, the output is the output projection's bias alone.
    bias = keras.ops.convert_to_numpy(layer.output_dense.bias)
    assert np.abs(bias).max() > 0.1
    np.testing.assert_allclose(output[0, 2], bias, atol=1e-6)


def test_padded_key_values_do_not_change_the_output():
    query, value = _inputs()
    mask = _padding_mask()[:, None, :]
    layer = MultiHeadAttention(HEADS, WIDTH // HEADS)
    changed = value.copy()
    changed[1, -3:] = 100.0
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(layer(query, value, attention_mask=mask)),
        keras.ops.convert_to_numpy(layer(query, changed, attention_mask=mask)), atol=1e-6)


def test_causal_mask_offsets_queries_by_the_cache_index():
    mask = keras.ops.convert_to_numpy(causal_mask(2, 5, query_offset=2))
    np.testing.assert_array_equal(mask, [[1, 1, 1, 0, 0], [1, 1, 1, 1, 0]])


def test_incremental_decoding_with_a_cache_equals_full_causal_attention():
    query, _ = _inputs()
    layer = MultiHeadAttention(HEADS, WIDTH // HEADS)
    full = keras.ops.convert_to_numpy(layer(query, query, use_causal_mask=True))
    cache = keras.ops.zeros((B, 2, HEADS, TQ, WIDTH // HEADS))
    for step in range(TQ):
        token = query[:, step : step + 1]
        out, cache = layer(token, token, use_causal_mask=True, cache=cache, cache_index=step)
        np.testing.assert_allclose(keras.ops.convert_to_numpy(out)[:, 0], full[:, step], atol=1e-5)


def test_config_round_trip_and_keras_file(tmp_path):
    query, value = _inputs()
    layer = MultiHeadAttention(HEADS, 3, value_dim=5, output_dim=6, dropout=0.1, use_bias=False, seed=3)
    clone = MultiHeadAttention.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    inputs = (keras.Input((TQ, WIDTH)), keras.Input((TK, WIDTH)))
    model = keras.Model(inputs, layer(*inputs))
    path = tmp_path / "attention.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.output.shape == (None, TQ, 6)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(model((query, value))),
                                  keras.ops.convert_to_numpy(loaded((query, value))))


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_keeps_float32_variables_and_scores(policy):
    query, value = _inputs()
    reference = MultiHeadAttention(HEADS, WIDTH // HEADS)
    mask = _padding_mask()[:, None, :]
    expected = keras.ops.convert_to_numpy(reference(query, value, attention_mask=mask))
    layer = MultiHeadAttention(HEADS, WIDTH // HEADS, dtype=policy)
    layer.build(query.shape, value.shape)
    layer.set_weights(reference.get_weights())
    output, weights = layer(query, value, attention_mask=mask, return_attention_scores=True)
    half = policy.split("_")[1]
    assert keras.backend.standardize_dtype(output.dtype) == half
    assert keras.backend.standardize_dtype(weights.dtype) == "float32"
    assert all(v.dtype == "float32" for v in layer.weights)
    tolerance = 2e-2 if half == "float16" else 1e-1
    np.testing.assert_allclose(keras.ops.convert_to_numpy(keras.ops.cast(output, "float32")),
                               expected, atol=tolerance, rtol=tolerance)


def test_trains_one_step():
    query, value = _inputs()
    q, v = keras.Input((TQ, WIDTH)), keras.Input((TK, WIDTH))
    model = keras.Model((q, v), MultiHeadAttention(HEADS, WIDTH // HEADS, dropout=0.1, seed=1)(q, v))
    model.compile(optimizer="adam", loss="mse")
    before = [w.copy() for w in model.get_weights()]
    loss = model.train_on_batch((query, value), np.zeros((B, TQ, WIDTH), "float32"))
    assert np.isfinite(loss)
    assert all(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


@pytest.mark.parametrize("bad", [{"num_heads": 0}, {"key_dim": -1}, {"dropout": 1.0}])
def test_invalid_arguments_are_reported(bad):
    args = {"num_heads": 2, "key_dim": 4, **bad}
    name = next(iter(bad))
    with pytest.raises(ValueError, match=f"Received: {name}="):
        MultiHeadAttention(**args)


def test_fused_attention_equals_ours_with_partial_and_fully_masked_rows():
    from keras_zoo.layers.multi_head_attention import fused_dot_product_attention
    from keras_zoo.layers.multi_head_attention import scaled_dot_product_attention

    rng = np.random.default_rng(4)
    q = rng.normal(size=(B, HEADS, TQ, 8)).astype("float32")
    k, v = (rng.normal(size=(B, HEADS, TK, 8)).astype("float32") for _ in range(2))
    mask = np.broadcast_to(_padding_mask()[:, None, None, :] & np.tril(np.ones((TQ, TK), bool)), (B, 1, TQ, TK)).copy()
    mask[0, 0, 3, :] = False  # attends nowhere: 0 on both paths
    q, k, v = (keras.ops.convert_to_tensor(t) for t in (q, k, v))
    expected, _ = scaled_dot_product_attention(q, k, v, mask)
    fused = keras.ops.convert_to_numpy(fused_dot_product_attention(q, k, v, mask))  # (B, TQ, H, D)
    expected = keras.ops.convert_to_numpy(expected).transpose(0, 2, 1, 3)
    np.testing.assert_allclose(fused, expected, atol=1e-5, rtol=1e-5)
    assert np.all(fused[0, 3] == 0.0)


def test_the_layer_gives_the_same_output_whichever_path_it_takes():
    # Without weights asked for, the torch backend takes the fused path.
    query, value = _inputs()
    mask = _padding_mask()[:, None, :] & np.tril(np.ones((TQ, TK), bool))[None]
    layer = MultiHeadAttention(HEADS, WIDTH // HEADS)
    plain = keras.ops.convert_to_numpy(layer(query, value, attention_mask=mask))
    with_weights, _ = layer(query, value, attention_mask=mask, return_attention_scores=True)
    np.testing.assert_allclose(plain, keras.ops.convert_to_numpy(with_weights), atol=1e-5, rtol=1e-5)
