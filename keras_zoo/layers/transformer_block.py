import keras

from keras_zoo.layers.feed_forward import FeedForward
from keras_zoo.layers.layer_scale import LayerScale
from keras_zoo.layers.multi_head_attention import MultiHeadAttention
from keras_zoo.layers.stochastic_depth import StochasticDepth
from keras_zoo.utils.validation import check_positive_int, check_rate, offset_seed


@keras.saving.register_keras_serializable(package="keras_zoo")
class TransformerBlock(keras.layers.Layer):
    """One transformer block: self-attention, cross-attention (if built with
    a context), a feed-forward network, each a residual branch.

    Post-norm (the paper, BERT): x = LayerNorm(x + branch(x)).
    Pre-norm (GPT-2, ViT): x = x + branch(LayerNorm(x)).
    Each branch's output goes through dropout, then optional layer scale
    (CaiT, ConvNeXt) and stochastic depth, as in timm's `Block`.

    `call(inputs (B, T, d), context=None (B, S, d_ctx), padding_mask=None
    (B, T), attention_mask=None (B, T, T), attention_bias=None (1 or B, H, T,
    T), context_padding_mask=None (B, S), cache=None (B, 2, H, L, d/H),
    cache_index=None, return_cross_attention_scores=False)`. Masks are
    bool, True = a real token / may attend. With `causal`, position i sees
    0..i (offset by `cache_index`). With a cache the new tokens are written
    into it at `cache_index` and attend to every earlier slot; the call then
    returns `(outputs, updated_cache)`, and the cross-attention weights after
    them when asked.

    Args:
        intermediate_dim: int, the feed-forward width (d_ff).
        num_heads: int, attention heads; the model width must divide by it.
        dropout: float, dropout on each branch's output.
        attention_dropout: float, dropout on the attention weights.
        intermediate_dropout: float, dropout on the feed-forward's hidden
            activations (timm's `Mlp` drop1, which ViT sets to `proj_drop`).
        activation: the feed-forward activation.
        normalize_first: bool, pre-norm instead of post-norm.
        layer_norm_epsilon: float.
        kernel_initializer: initializer of every projection.
        causal: bool, causal self-attention (a decoder).
        layer_scale_init_value: None, or the initial per-channel scale of
            each branch.
        drop_path_rate: float, stochastic depth of each branch.
        seed: optional int; sublayers draw their seeds from it.
    """

    # Seed offsets of the branches' sublayers: (attention or feed-forward, dropout).
    seed_offsets = {"self_attention": 0, "cross_attention": 2, "feed_forward": 4}
    drop_path_seed_offset = 6

    def __init__(
        self,
        intermediate_dim,
        num_heads,
        dropout=0.1,
        attention_dropout=0.0,
        intermediate_dropout=0.0,
        activation="relu",
        normalize_first=False,
        layer_norm_epsilon=1e-6,
        kernel_initializer="glorot_uniform",
        causal=False,
        layer_scale_init_value=None,
        drop_path_rate=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        check_positive_int(intermediate_dim=intermediate_dim, num_heads=num_heads)
        check_rate(dropout=dropout, attention_dropout=attention_dropout, intermediate_dropout=intermediate_dropout,
                   drop_path_rate=drop_path_rate)
        self.intermediate_dim = intermediate_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.attention_dropout = attention_dropout
        self.intermediate_dropout = intermediate_dropout
        self.activation = keras.activations.get(activation)
        self.normalize_first = normalize_first
        self.layer_norm_epsilon = layer_norm_epsilon
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.causal = causal
        self.layer_scale_init_value = layer_scale_init_value
        self.drop_path_rate = drop_path_rate
        self.seed = seed
        self.supports_masking = False

    # === Build ===

    def build(self, inputs_shape, context_shape=None):
        width = inputs_shape[-1]
        if width is None or width % self.num_heads:
            raise ValueError(
                f"{type(self).__name__}(num_heads={self.num_heads}) needs a known "
                f"model width divisible by num_heads. Received: width={width}"
            )
        self.has_cross_attention = context_shape is not None
        self.self_attention = self._attention("self_attention", width)
        self.self_attention.build(inputs_shape, inputs_shape)
        self._build_branch("self_attention", inputs_shape)
        if self.has_cross_attention:
            self.cross_attention = self._attention("cross_attention", width)
            self.cross_attention.build(inputs_shape, context_shape)
            self._build_branch("cross_attention", inputs_shape)
        self.feed_forward = FeedForward(
            self.intermediate_dim, activation=self.activation, dropout=self.intermediate_dropout,
            kernel_initializer=self._initializer(), seed=offset_seed(self.seed, self.seed_offsets["feed_forward"]),
            dtype=self.dtype_policy, name="feed_forward",
        )
        self.feed_forward.build(inputs_shape)
        self._build_branch("feed_forward", inputs_shape)

    def _initializer(self):  # a fresh instance per sublayer (keras warns on reuse)
        return keras.initializers.get(keras.initializers.serialize(self.kernel_initializer))

    def _attention(self, name, width):
        return MultiHeadAttention(
            self.num_heads, width // self.num_heads, dropout=self.attention_dropout,
            kernel_initializer=self._initializer(), seed=offset_seed(self.seed, self.seed_offsets[name]),
            dtype=self.dtype_policy, name=name,
        )

    def _build_branch(self, name, shape):
        """The layers around branch `name`: `{name}_norm`, `{name}_dropout`,
        and when asked `{name}_layer_scale`, `{name}_drop_path`."""
        policy = self.dtype_policy
        branch = tuple(self.seed_offsets).index(name)
        norm = keras.layers.LayerNormalization(epsilon=self.layer_norm_epsilon, dtype=policy, name=f"{name}_norm")
        dropout = keras.layers.Dropout(
            self.dropout, seed=offset_seed(self.seed, self.seed_offsets[name] + 1), dtype=policy,
            name=f"{name}_dropout")
        setattr(self, f"{name}_norm", norm)
        setattr(self, f"{name}_dropout", dropout)
        norm.build(shape)
        dropout.build(None)
        if self.layer_scale_init_value is not None:
            scale = LayerScale(self.layer_scale_init_value, dtype=policy, name=f"{name}_layer_scale")
            setattr(self, f"{name}_layer_scale", scale)
            scale.build(shape)
        if self.drop_path_rate:
            drop_path = StochasticDepth(
                self.drop_path_rate, seed=offset_seed(self.seed, self.drop_path_seed_offset + branch),
                dtype=policy, name=f"{name}_drop_path")
            setattr(self, f"{name}_drop_path", drop_path)
            drop_path.build(shape)

    # === Forward ===

    def call(
        self,
        inputs,
        context=None,
        padding_mask=None,
        attention_mask=None,
        attention_bias=None,
        context_padding_mask=None,
        cache=None,
        cache_index=None,
        return_cross_attention_scores=False,
        training=None,
    ):
        if (context is not None) != self.has_cross_attention:
            raise ValueError(
                f"This layer was built {'with' if self.has_cross_attention else 'without'} "
                "cross-attention; pass a context exactly when it has one."
            )
        if return_cross_attention_scores and not self.has_cross_attention:
            raise ValueError("return_cross_attention_scores=True needs a layer with cross-attention.")
        self_mask = _attention_mask(padding_mask, attention_mask)  # (B, 1 or T, T)
        cross_mask = _attention_mask(context_padding_mask, None)  # (B, 1, S)

        x = inputs  # (B, T, d)
        h = self.self_attention(
            self._pre_norm("self_attention", x), attention_mask=self_mask, attention_bias=attention_bias,
            use_causal_mask=self.causal, cache=cache, cache_index=cache_index, training=training)
        if cache is not None:
            h, cache = h  # the cache, with this call's keys and values written in
        x = self._residual("self_attention", x, h, training)  # (B, T, d)
        if self.has_cross_attention:
            h = self.cross_attention(
                self._pre_norm("cross_attention", x), context, attention_mask=cross_mask,
                return_attention_scores=return_cross_attention_scores, training=training)
            if return_cross_attention_scores:
                h, cross_scores = h  # (B, H, T, S) float32
            x = self._residual("cross_attention", x, h, training)  # (B, T, d)
        h = self.feed_forward(self._pre_norm("feed_forward", x), training=training)
        x = self._residual("feed_forward", x, h, training)  # (B, T, d)

        outputs = (x,) if cache is None else (x, cache)
        if return_cross_attention_scores:
            outputs += (cross_scores,)
        return outputs[0] if len(outputs) == 1 else outputs

    def _pre_norm(self, name, x):
        return getattr(self, f"{name}_norm")(x) if self.normalize_first else x

    def _residual(self, name, x, h, training):
        """x + DropPath(LayerScale(Dropout(h))), then LayerNorm when post-norm."""
        h = getattr(self, f"{name}_dropout")(h, training=training)
        if self.layer_scale_init_value is not None:
            h = getattr(self, f"{name}_layer_scale")(h)
        if self.drop_path_rate:
            h = getattr(self, f"{name}_drop_path")(h, training=training)
        x = x + h
        return x if self.normalize_first else getattr(self, f"{name}_norm")(x)

    def compute_output_shape(self, inputs_shape, context_shape=None):
        return inputs_shape

    def compute_output_spec(self, inputs, context=None, *args, cache=None, **kwargs):
        out = keras.KerasTensor(inputs.shape, dtype=self.compute_dtype)
        if cache is None:
            return out
        return out, keras.KerasTensor(cache.shape, dtype=cache.dtype)

    def get_config(self):
        return {
            **super().get_config(),
            "intermediate_dim": self.intermediate_dim,
            "num_heads": self.num_heads,
            "dropout": self.dropout,
            "attention_dropout": self.attention_dropout,
            "intermediate_dropout": self.intermediate_dropout,
            "activation": keras.activations.serialize(self.activation),
            "normalize_first": self.normalize_first,
            "layer_norm_epsilon": self.layer_norm_epsilon,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "causal": self.causal,
            "layer_scale_init_value": self.layer_scale_init_value,
            "drop_path_rate": self.drop_path_rate,
            "seed": self.seed,
        }


def _attention_mask(padding_mask, attention_mask):
    """One bool mask (B, 1 or T, S) from a key padding mask (B, S) and an
    attention mask (B, T, S), either or both None."""
    mask = None
    if padding_mask is not None:
        mask = keras.ops.expand_dims(keras.ops.cast(padding_mask, "bool"), 1)  # (B, 1, S)
    if attention_mask is not None:
        attention_mask = keras.ops.cast(attention_mask, "bool")
        mask = attention_mask if mask is None else keras.ops.logical_and(mask, attention_mask)
    return mask
