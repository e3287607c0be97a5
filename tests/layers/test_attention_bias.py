import keras
import numpy as np
import pytest
import torch

from keras_zoo.backend import fast_paths
from keras_zoo.layers.multi_head_attention import (
    MultiHeadAttention,
    _fold_mask_into_bias,
    fused_dot_product_attention,
    scaled_dot_product_attention,
)
from keras_zoo.testing import check_layer

B, TQ, TK, WIDTH, HEADS = 2, 5, 7, 16, 4
HEAD_DIM = WIDTH // HEADS


def _inputs(seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(B, TQ, WIDTH)).astype("float32"),
            rng.normal(size=(B, TK, WIDTH)).astype("float32"))


def _bias(shape, seed=2):  # large enough to move the weights far from the unbiased ones
    return np.random.default_rng(seed).normal(0.0, 2.0, size=shape).astype("float32")


def _padding_mask():  # (B, 1, TK), True = real key; row 1 has 3 padded keys
    mask = np.ones((B, 1, TK), bool)
    mask[1, :, -3:] = False
    return mask


def _randomized_layer(query, value):
    layer = MultiHeadAttention(HEADS, HEAD_DIM)
    layer.build(query.shape, value.shape)
    rng = np.random.default_rng(1)
    for weight in layer.weights:  # non-zero biases: a wrong bias mapping shows
        scale = weight.shape[0] ** -0.5 if len(weight.shape) == 2 else 0.5
        weight.assign(rng.normal(0.0, scale, weight.shape).astype("float32"))
    return layer


def _torch_reference(layer, query, value, bias, mask=None):
    """The layer's projections in torch around `scaled_dot_product_attention`
    with the float bias as `attn_mask` (-inf where `mask` is False)."""
    def project(dense, x):
        kernel, dense_bias = (torch.from_numpy(keras.ops.convert_to_numpy(w)) for w in (dense.kernel, dense.bias))
        return torch.from_numpy(x) @ kernel + dense_bias

    def heads(x):  # (B, T, H * D) -> (B, H, T, D)
        return x.reshape(x.shape[0], x.shape[1], HEADS, HEAD_DIM).transpose(1, 2)

    q, k, v = (heads(project(d, x)) for d, x in
               ((layer.query_dense, query), (layer.key_dense, value), (layer.value_dense, value)))
    attn_mask = torch.from_numpy(bias)
    if mask is not None:  # (B, TQ or 1, TK) -> (B, 1, TQ or 1, TK)
        attn_mask = attn_mask.masked_fill(~torch.from_numpy(mask)[:, None], float("-inf"))
    with torch.no_grad():
        x = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)  # (B, H, TQ, D)
        weights = torch.softmax(q @ k.transpose(-1, -2) / HEAD_DIM**0.5 + attn_mask, dim=-1)
        return project(layer.output_dense, x.transpose(1, 2).reshape(B, TQ, WIDTH).numpy()).numpy(), weights.numpy()


@pytest.fixture(params=[False, True], ids=["unfused", "fused"])
def fused(request, monkeypatch):
    """Both paths on every backend: the fused one is PyTorch's by default."""
    monkeypatch.setattr(fast_paths, "fused_attention_applies", lambda: request.param)
    return request.param


@pytest.mark.parametrize("bias_shape", [(1, HEADS, TQ, TK), (B, HEADS, TQ, TK)])
@pytest.mark.parametrize("with_mask", [False, True], ids=["bias", "bias_and_padding_mask"])
def test_matches_torch_sdpa_with_a_float_attn_mask(fused, bias_shape, with_mask):
    query, value = _inputs()
    layer = _randomized_layer(query, value)
    bias = _bias(bias_shape)
    mask = _padding_mask() if with_mask else None
    expected, expected_weights = _torch_reference(layer, query, value, bias, mask)
    output = layer(query, value, attention_mask=mask, attention_bias=bias)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(output), expected, rtol=1e-5, atol=1e-5)
    # The weights (asked for: always the unfused path) are the biased softmax.
    output, weights = layer(query, value, attention_mask=mask, attention_bias=bias, return_attention_scores=True)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(weights), expected_weights, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(output), expected, rtol=1e-5, atol=1e-5)


def test_bias_with_the_causal_mask(fused):
    query, _ = _inputs()
    layer = _randomized_layer(query, query)
    bias = _bias((1, HEADS, TQ, TQ))
    causal = np.broadcast_to(np.tril(np.ones((TQ, TQ), bool)), (B, TQ, TQ)).copy()
    expected, _ = _torch_reference(layer, query, query, bias, causal)
    output = layer(query, query, use_causal_mask=True, attention_bias=bias)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(output), expected, rtol=1e-5, atol=1e-5)


def test_a_fully_masked_row_stays_zero_whatever_its_bias(fused):
    query, value = _inputs()
    layer = _randomized_layer(query, value)
    mask = np.broadcast_to(_padding_mask(), (B, TQ, TK)).copy()
    mask[0, 2] = False  # query 2 of row 0 attends nowhere
    bias = _bias((1, HEADS, TQ, TK))
    output = keras.ops.convert_to_numpy(layer(query, value, attention_mask=mask, attention_bias=bias))
    np.testing.assert_allclose(output[0, 2], keras.ops.convert_to_numpy(layer.output_dense.bias), atol=1e-6)
    assert np.all(np.isfinite(output))


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_fused_equals_unfused_with_bias_and_mask(dtype):
    rng = np.random.default_rng(4)
    q = rng.normal(size=(B, HEADS, TQ, 8)).astype("float32")
    k, v = (rng.normal(size=(B, HEADS, TK, 8)).astype("float32") for _ in range(2))
    mask = np.broadcast_to(_padding_mask()[:, None], (B, 1, TQ, TK)).copy()
    mask[0, 0, 3] = False  # attends nowhere: 0 on both paths
    bias = _bias((1, HEADS, TQ, TK))
    expected, _ = scaled_dot_product_attention(*(keras.ops.convert_to_tensor(t) for t in (q, k, v)), mask, bias=bias)
    expected = keras.ops.convert_to_numpy(expected).transpose(0, 2, 1, 3)  # (B, TQ, H, D)
    q, k, v = (keras.ops.convert_to_tensor(t, dtype) for t in (q, k, v))
    fused = keras.ops.convert_to_numpy(keras.ops.cast(fused_dot_product_attention(q, k, v, mask, bias), "float32"))
    tolerance = 1e-5 if dtype == "float32" else 2e-2
    np.testing.assert_allclose(fused, expected, rtol=tolerance, atol=tolerance)
    assert np.all(fused[0, 3] == 0.0)


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_the_mask_folded_into_the_bias_stays_finite(dtype):
    # -inf logits would make a fully masked row NaN inside the kernel (and in
    # its gradient), even where the layer then zeroes that row's output.
    rng = np.random.default_rng(5)
    q, k, v = (keras.ops.convert_to_tensor(rng.normal(size=(B, TQ, HEADS, 8)), dtype) for _ in range(3))
    mask = np.ones((B, 1, TQ, TQ), bool)
    mask[0, 0, 2] = False
    folded = _fold_mask_into_bias(_bias((1, HEADS, TQ, TQ)), mask, dtype)
    assert keras.backend.standardize_dtype(folded.dtype) == dtype
    raw = keras.ops.dot_product_attention(q, k, v, bias=folded)
    for tensor in (folded, raw):
        assert np.all(np.isfinite(keras.ops.convert_to_numpy(keras.ops.cast(tensor, "float32"))))


@keras.saving.register_keras_serializable(package="keras_zoo_tests")
class BiasedSelfAttention(keras.layers.Layer):
    """Self-attention with a learned (1, H, T, T) bias, as Swin's window
    attention adds its relative position bias."""

    def __init__(self, tokens, **kwargs):
        super().__init__(**kwargs)
        self.tokens = tokens
        # No projection biases: the key bias gets no gradient (softmax is shift-invariant).
        self.attention = MultiHeadAttention(HEADS, HEAD_DIM, use_bias=False, dtype=self.dtype_policy)

    def build(self, input_shape):
        self.position_bias = self.add_weight(
            shape=(1, HEADS, self.tokens, self.tokens), initializer="random_normal", name="position_bias")
        self.attention.build(input_shape)

    def call(self, x):
        return self.attention(x, x, attention_bias=self.position_bias)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "tokens": self.tokens}


def test_a_learned_bias_trains_saves_and_runs_in_mixed_precision(fused, tmp_path):
    check_layer(lambda **kw: BiasedSelfAttention(TQ, **kw), (B, TQ, WIDTH), str(tmp_path))


def test_no_bias_is_the_unbiased_attention(fused):
    query, value = _inputs()
    layer = _randomized_layer(query, value)
    zeros = np.zeros((1, HEADS, TQ, TK), "float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(query, value, attention_bias=zeros)),
                               keras.ops.convert_to_numpy(layer(query, value)), rtol=1e-6, atol=1e-6)
