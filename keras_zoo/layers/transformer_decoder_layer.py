import keras

from keras_zoo.layers.feed_forward import FeedForward
from keras_zoo.layers.multi_head_attention import MultiHeadAttention
from keras_zoo.layers.transformer_encoder_layer import (
    offset_seed,
    residual,
    validate_transformer_layer_args,
    validate_width,
)


@keras.saving.register_keras_serializable(package="keras_zoo")
class TransformerDecoderLayer(keras.layers.Layer):
    """One decoder layer (Vaswani et al., 2017, section 3.1): causal
    self-attention, cross-attention over the encoder output, and a
    feed-forward network, each wrapped in dropout, a residual connection and
    LayerNorm (post-norm; pre-norm with `normalize_first`).

    Called without `encoder_sequence` when first built, the layer has no
    cross-attention: a decoder-only (GPT-style) block.

    `call(decoder_sequence (B, T, d), encoder_sequence=None (B, S, d_enc),
    decoder_padding_mask=None (B, T), encoder_padding_mask=None (B, S),
    self_attention_cache=None (B, 2, H, L, d/H), cache_index=None)`.
    With a cache the new tokens sit at positions `cache_index...`, are written
    into the cache and attend to every earlier slot; the call then returns
    `(outputs, updated_cache)`.

    Args: as `TransformerEncoderLayer`.
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

    def _initializer(self):
        return keras.initializers.get(keras.initializers.serialize(self.kernel_initializer))

    def _sublayers(self, name, seed_offset, width):
        policy = self.dtype_policy
        attention = MultiHeadAttention(
            self.num_heads, width // self.num_heads, dropout=self.attention_dropout,
            kernel_initializer=self._initializer(), seed=offset_seed(self.seed, seed_offset),
            dtype=policy, name=name,
        )
        norm = keras.layers.LayerNormalization(
            epsilon=self.layer_norm_epsilon, dtype=policy, name=f"{name}_norm")
        dropout = keras.layers.Dropout(
            self.dropout, seed=offset_seed(self.seed, seed_offset + 1), dtype=policy,
            name=f"{name}_dropout")
        return attention, norm, dropout

    def build(self, decoder_sequence_shape, encoder_sequence_shape=None):
        width = decoder_sequence_shape[-1]
        validate_width(self, width)
        self.self_attention, self.self_attention_norm, self.self_attention_dropout = (
            self._sublayers("self_attention", 0, width))
        self.self_attention.build(decoder_sequence_shape, decoder_sequence_shape)
        self.self_attention_norm.build(decoder_sequence_shape)
        self.self_attention_dropout.build(None)
        self.has_cross_attention = encoder_sequence_shape is not None
        if self.has_cross_attention:
            self.cross_attention, self.cross_attention_norm, self.cross_attention_dropout = (
                self._sublayers("cross_attention", 2, width))
            self.cross_attention.build(decoder_sequence_shape, encoder_sequence_shape)
            self.cross_attention_norm.build(decoder_sequence_shape)
            self.cross_attention_dropout.build(None)
        self.feed_forward = FeedForward(
            self.intermediate_dim, activation=self.activation,
            kernel_initializer=self._initializer(), seed=offset_seed(self.seed, 4),
            dtype=self.dtype_policy, name="feed_forward",
        )
        self.feed_forward_norm = keras.layers.LayerNormalization(
            epsilon=self.layer_norm_epsilon, dtype=self.dtype_policy, name="feed_forward_norm")
        self.feed_forward_dropout = keras.layers.Dropout(
            self.dropout, seed=offset_seed(self.seed, 5), dtype=self.dtype_policy,
            name="feed_forward_dropout")
        self.feed_forward.build(decoder_sequence_shape)
        self.feed_forward_norm.build(decoder_sequence_shape)
        self.feed_forward_dropout.build(None)

    def call(
        self,
        decoder_sequence,
        encoder_sequence=None,
        decoder_padding_mask=None,
        encoder_padding_mask=None,
        self_attention_cache=None,
        cache_index=None,
        training=None,
        return_cross_attention_scores=False,
    ):
        """Returns the output (B, T, d), then the updated self-attention
        cache if one was given, then the float32 cross-attention weights
        (B, H, T, S) if `return_cross_attention_scores`."""
        if (encoder_sequence is not None) != self.has_cross_attention:
            raise ValueError(
                f"This layer was built {'with' if self.has_cross_attention else 'without'} "
                "cross-attention; pass `encoder_sequence` exactly when it has one."
            )
        self_mask = None
        if decoder_padding_mask is not None:
            self_mask = keras.ops.expand_dims(keras.ops.cast(decoder_padding_mask, "bool"), 1)  # (B, 1, T)
        cache = [self_attention_cache]

        def self_attend(x):  # causal: position i sees 0..i (offset by cache_index)
            outputs = self.self_attention(
                x, x, attention_mask=self_mask, use_causal_mask=True,
                cache=cache[0], cache_index=cache_index, training=training,
            )
            if cache[0] is None:
                return outputs
            x, cache[0] = outputs
            return x

        x = residual(decoder_sequence, self_attend, self.self_attention_norm,
                     self.self_attention_dropout, self.normalize_first, training)  # (B, T, d)
        if self.has_cross_attention:
            cross_mask = None
            if encoder_padding_mask is not None:
                cross_mask = keras.ops.expand_dims(keras.ops.cast(encoder_padding_mask, "bool"), 1)  # (B, 1, S)

            def cross_attend(x):
                if not return_cross_attention_scores:
                    return self.cross_attention(
                        x, encoder_sequence, attention_mask=cross_mask, training=training)
                x, scores = self.cross_attention(
                    x, encoder_sequence, attention_mask=cross_mask,
                    return_attention_scores=True, training=training)
                cross_scores.append(scores)
                return x

            cross_scores = []

            x = residual(x, cross_attend, self.cross_attention_norm,
                         self.cross_attention_dropout, self.normalize_first, training)

        def feed_forward(x):
            return self.feed_forward(x, training=training)

        x = residual(x, feed_forward, self.feed_forward_norm, self.feed_forward_dropout,
                     self.normalize_first, training)
        outputs = (x,) if self_attention_cache is None else (x, cache[0])
        if return_cross_attention_scores:
            if not self.has_cross_attention:
                raise ValueError("return_cross_attention_scores=True needs a layer with cross-attention.")
            outputs += (cross_scores[0],)
        return outputs[0] if len(outputs) == 1 else outputs

    def compute_output_spec(self, decoder_sequence, encoder_sequence=None, decoder_padding_mask=None,
                            encoder_padding_mask=None, self_attention_cache=None, **kwargs):
        out = keras.KerasTensor(decoder_sequence.shape, dtype=self.compute_dtype)
        if self_attention_cache is None:
            return out
        return out, keras.KerasTensor(self_attention_cache.shape, dtype=self_attention_cache.dtype)

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
