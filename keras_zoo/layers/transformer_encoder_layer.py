import keras

from keras_zoo.layers.transformer_block import TransformerBlock
from keras_zoo.utils.validation import offset_seed  # noqa: F401  (its old import path)


@keras.saving.register_keras_serializable(package="keras_zoo")
class TransformerEncoderLayer(TransformerBlock):
    """One encoder layer (Vaswani et al., 2017, section 3.1): a
    `TransformerBlock` with bidirectional self-attention and no
    cross-attention; post-norm, or pre-norm with `normalize_first`.

    `call(inputs (B, T, d), padding_mask=None (B, T), attention_mask=None
    (B, T, T), attention_bias=None)`; masks are bool, True = a real token /
    may attend.

    Args: as `TransformerBlock` (without `causal`); dropout 0.1 on each
    sub-layer's output (section 5.4), ReLU, epsilon 1e-6.
    """

    # The feed-forward's seeds follow self-attention's (there is no cross-attention).
    seed_offsets = {"self_attention": 0, "feed_forward": 2}

    def __init__(self, intermediate_dim, num_heads, **kwargs):
        super().__init__(intermediate_dim, num_heads, causal=False, **kwargs)

    def build(self, inputs_shape):
        super().build(inputs_shape)

    def call(self, inputs, padding_mask=None, attention_mask=None, attention_bias=None, training=None):
        return super().call(inputs, padding_mask=padding_mask, attention_mask=attention_mask,
                            attention_bias=attention_bias, training=training)

    def compute_output_shape(self, inputs_shape):
        return inputs_shape

    def compute_output_spec(self, inputs, *args, **kwargs):
        return keras.KerasTensor(inputs.shape, dtype=self.compute_dtype)

    def get_config(self):
        config = super().get_config()
        del config["causal"]
        return config
