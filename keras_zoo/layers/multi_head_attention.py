import math

import keras
from keras import ops

from keras_zoo.backend import fast_paths
from keras_zoo.layers.dense import Dense
from keras_zoo.utils.validation import check_positive_int, check_rate

# Added to masked scores before the softmax: exp() of it underflows to exactly
# 0 in float32, and unlike -inf it cannot turn a fully masked row into NaN.
_MASKED_SCORE = -1e9
# The same in float16, whose range ends at 65504; used where a mask becomes an
# additive bias in the compute dtype (the fused path).
_MASKED_FLOAT16_SCORE = -3e4


def scaled_dot_product_attention(query, key, value, mask=None, dropout=None, training=None, bias=None):
    """softmax(q k^T / sqrt(d)) v (Vaswani et al., 2017, eq. 1), heads first.

    Scores and softmax run in float32 whatever the compute dtype. Masked
    positions get exactly zero probability; a fully masked query row gets
    all-zero weights (its output is 0), never NaN.

    Args:
        query: (B, H, Tq, D). key: (B, H, Tk, D). value: (B, H, Tk, Dv).
        mask: optional bool, broadcastable to (B, H, Tq, Tk); True = attend.
        dropout: optional layer applied to the attention weights.
        bias: optional float, broadcastable to (B, H, Tq, Tk), added to the
            scaled scores (Swin's relative position bias); masked positions
            stay at zero probability whatever their bias.

    Returns:
        (output (B, H, Tq, Dv), weights (B, H, Tq, Tk) float32).
    """
    scale = ops.cast(1.0 / math.sqrt(query.shape[-1]), query.dtype)
    scores = ops.einsum("bhqd,bhkd->bhqk", query * scale, key)
    scores = ops.cast(scores, "float32")  # (B, H, Tq, Tk)
    if bias is not None:
        scores = scores + ops.cast(bias, "float32")
    if mask is not None:
        mask = ops.cast(mask, "bool")
        scores = ops.where(mask, scores, _MASKED_SCORE)
    weights = ops.softmax(scores, axis=-1)
    if mask is not None:
        weights = ops.where(mask, weights, 0.0)  # fully masked rows -> 0
    applied = weights if dropout is None else dropout(weights, training=training)
    output = ops.einsum("bhqk,bhkd->bhqd", ops.cast(applied, value.dtype), value)
    return output, weights


def _fold_mask_into_bias(bias, mask, dtype):
    """One additive bias in `dtype`: `keras.ops.dot_product_attention` takes
    a bias or a mask, not both, on PyTorch. Masked logits get a score whose
    exp() underflows to 0 in `dtype` and stays finite (no NaN rows)."""
    masked_score = _MASKED_FLOAT16_SCORE if keras.backend.standardize_dtype(dtype) == "float16" else _MASKED_SCORE
    return ops.cast(ops.where(mask, ops.cast(bias, "float32"), masked_score), dtype)


def fused_dot_product_attention(query, key, value, mask=None, bias=None):
    """`scaled_dot_product_attention`'s output through
    `keras.ops.dot_product_attention`: inputs heads first like it, output
    (B, Tq, H, Dv), the layout the heads are merged from. A fully masked
    query row gives 0, as there (the fused kernels average over its keys).
    The bias is added in the inputs' dtype (in float32 in the unfused path)."""
    if bias is not None:
        bias = ops.cast(bias, query.dtype) if mask is None else _fold_mask_into_bias(bias, mask, query.dtype)
    output = ops.dot_product_attention(
        ops.transpose(query, (0, 2, 1, 3)), ops.transpose(key, (0, 2, 1, 3)), ops.transpose(value, (0, 2, 1, 3)),
        bias=bias, mask=None if bias is not None else mask, scale=1.0 / math.sqrt(query.shape[-1]),
    )  # (B, Tq, H, Dv)
    if mask is not None:
        attends = ops.any(mask, axis=-1)  # (B or 1, 1 or H, Tq)
        output = ops.where(ops.expand_dims(ops.transpose(attends, (0, 2, 1)), -1), output, ops.zeros_like(output))
    return output


def causal_mask(query_length, key_length, query_offset=0):
    """(Tq, Tk) bool: query i (at absolute position `query_offset + i`) sees
    keys 0..query_offset + i. `query_offset` may be a traced scalar."""
    query_positions = ops.arange(query_length)[:, None] + query_offset
    return ops.arange(key_length)[None, :] <= query_positions


@keras.saving.register_keras_serializable(package="keras_zoo")
class MultiHeadAttention(keras.layers.Layer):
    """Multi-head attention (Vaswani et al., 2017, section 3.2.2).

    Projects queries, keys and values into `num_heads` heads of `key_dim`,
    attends in each head with `scaled_dot_product_attention` and projects
    the concatenated heads back to `output_dim` (the query's width by
    default). Supports padding/arbitrary masks, a causal mask and a fixed-size
    key/value cache for incremental decoding.

    Args:
        num_heads: int, number of heads.
        key_dim: int, width of each head's queries and keys.
        value_dim: int, width of each head's values; defaults to `key_dim`.
        output_dim: int, width of the output; defaults to the query's width.
        dropout: float in [0, 1), dropout on the attention weights.
        use_bias: bool, biases in the four projections.
        kernel_initializer: initializer of the projections.
        seed: optional int seed of the attention-dropout generator.
    """

    def __init__(
        self,
        num_heads,
        key_dim,
        value_dim=None,
        output_dim=None,
        dropout=0.0,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        check_positive_int(num_heads=num_heads, key_dim=key_dim)
        for arg, v in (("value_dim", value_dim), ("output_dim", output_dim)):
            if v is not None and (not isinstance(v, int) or v <= 0):
                raise ValueError(f"`{arg}` must be None or a positive int. Received: {arg}={v}")
        check_rate(dropout=dropout)
        self.num_heads = num_heads
        self.key_dim = key_dim
        self.value_dim = value_dim or key_dim
        self.output_dim = output_dim
        self.dropout = dropout
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.seed = seed

        def projection(units, name):
            return Dense(
                units, use_bias=use_bias,
                kernel_initializer=keras.initializers.get(
                    keras.initializers.serialize(self.kernel_initializer)),
                dtype=self.dtype_policy, name=name,
            )

        self.query_dense = projection(num_heads * key_dim, "query")
        self.key_dense = projection(num_heads * key_dim, "key")
        self.value_dense = projection(num_heads * self.value_dim, "value")
        self._projection = projection  # output width known only in build()
        self.attention_dropout = keras.layers.Dropout(
            dropout, seed=seed, dtype=self.dtype_policy, name="attention_dropout"
        )

    def build(self, query_shape, value_shape=None, key_shape=None):
        value_shape = query_shape if value_shape is None else value_shape
        key_shape = value_shape if key_shape is None else key_shape
        self.output_dense = self._projection(self.output_dim or query_shape[-1], "output")
        self.query_dense.build(query_shape)
        self.key_dense.build(key_shape)
        self.value_dense.build(value_shape)
        heads_shape = tuple(query_shape[:-1]) + (self.num_heads * self.value_dim,)
        self.output_dense.build(heads_shape)
        self.attention_dropout.build(None)
        self.built = True

    def _split_heads(self, x, head_dim):  # (B, T, H * D) -> (B, H, T, D)
        x = ops.reshape(x, (ops.shape(x)[0], -1, self.num_heads, head_dim))
        return ops.transpose(x, (0, 2, 1, 3))

    def call(
        self,
        query,
        value=None,
        key=None,
        attention_mask=None,
        use_causal_mask=False,
        cache=None,
        cache_index=None,
        return_attention_scores=False,
        training=None,
        attention_bias=None,
    ):
        """Attends from `query` (B, Tq, C) to `value`/`key` (B, Tk, C').

        `attention_mask`: bool (B, Tq, Tk) or broadcastable, True = attend.
        `attention_bias`: float, broadcastable to (B, H, Tq, Tk), added to
        the scaled scores before the softmax (Swin's relative position bias,
        (1, H, Tq, Tk)); the masks still apply on top of it.
        `cache`: (B, 2, H, S, D) keys and values of earlier steps; this
        call's keys/values are written at `cache_index` and the queries
        attend over all S slots (mask the unwritten ones, or use the causal
        mask, which places query i at position `cache_index + i`).
        Returns the output (B, Tq, output_dim), then the updated cache if one
        was given, then the float32 weights (B, H, Tq, Tk) if asked.
        """
        value = query if value is None else value
        key = value if key is None else key
        q = self._split_heads(self.query_dense(query), self.key_dim)  # (B, H, Tq, D)
        k = self._split_heads(self.key_dense(key), self.key_dim)  # (B, H, Tk, D)
        v = self._split_heads(self.value_dense(value), self.value_dim)
        if cache is not None:
            if self.key_dim != self.value_dim:
                raise ValueError(
                    "A key/value cache needs key_dim == value_dim. Received: "
                    f"key_dim={self.key_dim}, value_dim={self.value_dim}"
                )
            index = 0 if cache_index is None else cache_index
            step = ops.cast(ops.stack([k, v], axis=1), cache.dtype)  # (B, 2, H, Tq, D)
            cache = ops.slice_update(cache, (0, 0, 0, index, 0), step)
            k, v = ops.cast(cache[:, 0], q.dtype), ops.cast(cache[:, 1], q.dtype)

        mask = None if attention_mask is None else ops.cast(attention_mask, "bool")
        if use_causal_mask:
            offset = 0 if cache_index is None else cache_index
            causal = causal_mask(ops.shape(q)[2], ops.shape(k)[2], offset)  # (Tq, Tk)
            mask = ops.expand_dims(causal, 0) if mask is None else ops.logical_and(mask, causal)
        if mask is not None:
            # expand_dims, not mask[:, None]: a new-axis slice of a bool tensor is
            # no builtin TFLite op (it would need the Flex delegate).
            mask = ops.expand_dims(mask, 1)  # (B, 1, Tq, Tk): the same for every head
        fused = (
            not return_attention_scores
            and not (training and self.dropout > 0)
            and fast_paths.fused_attention_applies()
        )
        if fused:
            x = fused_dot_product_attention(q, k, v, mask, attention_bias)  # (B, Tq, H, Dv)
        else:
            x, weights = scaled_dot_product_attention(
                q, k, v, mask, dropout=self.attention_dropout, training=training, bias=attention_bias
            )
            x = ops.transpose(x, (0, 2, 1, 3))  # (B, Tq, H, Dv)
        x = ops.reshape(x, (ops.shape(x)[0], -1, self.num_heads * self.value_dim))
        outputs = (self.output_dense(x),)
        if cache is not None:
            outputs += (cache,)
        if return_attention_scores:
            outputs += (weights,)
        return outputs[0] if len(outputs) == 1 else outputs

    def compute_output_spec(self, query, value=None, key=None, attention_mask=None,
                            use_causal_mask=False, cache=None, cache_index=None,
                            return_attention_scores=False, **kwargs):
        width = self.output_dim or query.shape[-1]
        out = (keras.KerasTensor(tuple(query.shape[:-1]) + (width,), dtype=self.compute_dtype),)
        if cache is not None:
            out += (keras.KerasTensor(cache.shape, dtype=cache.dtype),)
        if return_attention_scores:
            value = query if value is None else value
            tk = cache.shape[3] if cache is not None else value.shape[1]
            out += (keras.KerasTensor(
                (query.shape[0], self.num_heads, query.shape[1], tk), dtype="float32"),)
        return out[0] if len(out) == 1 else out

    def get_config(self):
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "output_dim": self.output_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "seed": self.seed,
        }
