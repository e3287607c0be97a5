import keras

from keras_zoo.layers.transformer_block import TransformerBlock


@keras.saving.register_keras_serializable(package="keras_zoo")
class TransformerDecoderLayer(TransformerBlock):
    """One decoder layer (Vaswani et al., 2017, section 3.1): a
    `TransformerBlock` with causal self-attention and cross-attention over
    the encoder output; post-norm, or pre-norm with `normalize_first`.

    Called without `encoder_sequence` when first built, the layer has no
    cross-attention: a decoder-only (GPT-style) block.

    `call(decoder_sequence (B, T, d), encoder_sequence=None (B, S, d_enc),
    decoder_padding_mask=None (B, T), encoder_padding_mask=None (B, S),
    self_attention_cache=None (B, 2, H, L, d/H), cache_index=None)`.
    With a cache the new tokens sit at positions `cache_index...`, are written
    into the cache and attend to every earlier slot; the call then returns
    `(outputs, updated_cache)`, then the float32 cross-attention weights
    (B, H, T, S) if `return_cross_attention_scores`.

    Args: as `TransformerEncoderLayer`.
    """

    def __init__(self, intermediate_dim, num_heads, **kwargs):
        super().__init__(intermediate_dim, num_heads, causal=True, **kwargs)

    def build(self, decoder_sequence_shape, encoder_sequence_shape=None):
        super().build(decoder_sequence_shape, encoder_sequence_shape)

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
        return super().call(
            decoder_sequence, encoder_sequence, padding_mask=decoder_padding_mask,
            context_padding_mask=encoder_padding_mask, cache=self_attention_cache, cache_index=cache_index,
            return_cross_attention_scores=return_cross_attention_scores, training=training,
        )

    def compute_output_spec(self, decoder_sequence, encoder_sequence=None, decoder_padding_mask=None,
                            encoder_padding_mask=None, self_attention_cache=None, **kwargs):
        return super().compute_output_spec(decoder_sequence, cache=self_attention_cache)

    def get_config(self):
        config = super().get_config()
        del config["causal"]
        return config
