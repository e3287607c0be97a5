import keras

from keras_zoo.layers.feed_forward import FeedForward
from keras_zoo.layers.multi_head_attention import MultiHeadAttention


def offset_seed(seed, offset):
    """A distinct, reproducible seed per sublayer (None stays None)."""
    return None if seed is None else seed + offset


def validate_transformer_layer_args(intermediate_dim, num_heads, dropout, attention_dropout):
    for arg, v in (("intermediate_dim", intermediate_dim), ("num_heads", num_heads)):
        if not isinstance(v, int) or v <= 0:
            raise ValueError(f"`{arg}` must be a positive int. Received: {arg}={v}")
    for arg, v in (("dropout", dropout), ("attention_dropout", attention_dropout)):
        if not 0.0 <= v < 1.0:
            raise ValueError(f"`{arg}` must be in [0, 1). Received: {arg}={v}")


def validate_width(layer, width):
    if width is None or width % layer.num_heads:
        raise ValueError(
            f"{type(layer).__name__}(num_heads={layer.num_heads}) needs a known "
            f"model width divisible by num_heads. Received: width={width}"
        )


def residual(x, sublayer, norm, dropout, normalize_first, training):
    """Post-norm LayerNorm(x + Dropout(sublayer(x))) as in the paper, or
    pre-norm x + Dropout(sublayer(LayerNorm(x)))."""
    if normalize_first:
        return x + dropout(sublayer(norm(x)), training=training)
    return norm(x + dropout(sublayer(x), training=training))


@keras.saving.register_keras_serializable(package="keras_zoo")
class TransformerEncoderLayer(keras.layers.Layer):
    """One encoder layer (Vaswani et al., 2017, section 3.1): self-attention
    and a feed-forward network, each wrapped in dropout, a residual
    connection and LayerNorm (post-norm; pre-norm with `normalize_first`).

    `call(inputs (B, T, d), padding_mask=None (B, T), attention_mask=None
    (B, T, T))`; masks are bool, True = a real token / may attend.

    Args:
        intermediate_dim: int, the feed-forward width (d_ff).
        num_heads: int, attention heads; the model width must divide by it.
        dropout: float, dropout on each sub-layer's output (0.1, section 5.4).
        attention_dropout: float, dropout on the attention weights.
        activation: the feed-forward activation ("relu").
        normalize_first: bool, pre-norm instead of the paper's post-norm.
        layer_norm_epsilon: float.
        kernel_initializer: initializer of every projection.
        seed: optional int; sublayers draw their dropout seeds from it.
    """

    def __init__(
        self,
        intermediate_dim,
        num_heads,
        dropout=0.1,
        attention_dropout=0.0,
        activation="relu",
        normalize_first=False,
        layer_norm_epsilon=1e-6,
        kernel_initializer="glorot_uniform",
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        validate_transformer_layer_args(intermediate_dim, num_heads, dropout, attention_dropout)
        self.intermediate_dim = intermediate_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.attention_dropout = attention_dropout
        self.activation = keras.activations.get(activation)
        self.normalize_first = normalize_first
        self.layer_norm_epsilon = layer_norm_epsilon
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.seed = seed
        self.supports_masking = False

    def _initializer(self):
        return keras.initializers.get(keras.initializers.serialize(self.kernel_initializer))

    def build(self, inputs_shape):
        width = inputs_shape[-1]
        validate_width(self, width)
        policy = self.dtype_policy
        self.self_attention = MultiHeadAttention(
            self.num_heads, width // self.num_heads, dropout=self.attention_dropout,
            kernel_initializer=self._initializer(), seed=offset_seed(self.seed, 0),
            dtype=policy, name="self_attention",
        )
        self.self_attention_norm = keras.layers.LayerNormalization(
            epsilon=self.layer_norm_epsilon, dtype=policy, name="self_attention_norm")
        self.self_attention_dropout = keras.layers.Dropout(
            self.dropout, seed=offset_seed(self.seed, 1), dtype=policy, name="self_attention_dropout")
        self.feed_forward = FeedForward(
            self.intermediate_dim, activation=self.activation,
            kernel_initializer=self._initializer(), seed=offset_seed(self.seed, 2),
            dtype=policy, name="feed_forward",
        )
        self.feed_forward_norm = keras.layers.LayerNormalization(
            epsilon=self.layer_norm_epsilon, dtype=policy, name="feed_forward_norm")
        self.feed_forward_dropout = keras.layers.Dropout(
            self.dropout, seed=offset_seed(self.seed, 3), dtype=policy, name="feed_forward_dropout")
        for layer in (self.self_attention_norm, self.feed_forward_norm, self.feed_forward):
            layer.build(inputs_shape)
        self.self_attention.build(inputs_shape, inputs_shape)
        self.self_attention_dropout.build(None)
        self.feed_forward_dropout.build(None)

    def call(self, inputs, padding_mask=None, attention_mask=None, training=None):
        mask = None
        if padding_mask is not None:
            mask = keras.ops.expand_dims(keras.ops.cast(padding_mask, "bool"), 1)  # (B, 1, T) keys
        if attention_mask is not None:
            attention_mask = keras.ops.cast(attention_mask, "bool")
            mask = attention_mask if mask is None else keras.ops.logical_and(mask, attention_mask)

        def attend(x):
            return self.self_attention(x, x, attention_mask=mask, training=training)

        def feed_forward(x):
            return self.feed_forward(x, training=training)

        x = residual(inputs, attend, self.self_attention_norm, self.self_attention_dropout,
                     self.normalize_first, training)  # (B, T, d)
        return residual(x, feed_forward, self.feed_forward_norm, self.feed_forward_dropout,
                        self.normalize_first, training)

    def compute_output_shape(self, inputs_shape):
        return inputs_shape

    def get_config(self):
        return {
            **super().get_config(),
            "intermediate_dim": self.intermediate_dim,
            "num_heads": self.num_heads,
            "dropout": self.dropout,
            "attention_dropout": self.attention_dropout,
            "activation": keras.activations.serialize(self.activation),
            "normalize_first": self.normalize_first,
            "layer_norm_epsilon": self.layer_norm_epsilon,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "seed": self.seed,
        }
