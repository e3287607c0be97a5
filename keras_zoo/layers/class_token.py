import keras
from keras import ops

from keras_zoo.utils.validation import check_positive_int

# timm's `nn.init.normal_(cls_token, std=1e-6)`.
_CLASS_TOKEN_INITIALIZER = {"class_name": "RandomNormal", "config": {"stddev": 1e-6}}


@keras.saving.register_keras_serializable(package="keras_zoo")
class ClassToken(keras.layers.Layer):
    """Prepends learned tokens to a sequence: ViT's class token (Dosovitskiy
    et al., 2021, eq. 1, x_class), DeiT's distillation token with
    `num_tokens=2`. (B, N, C) -> (B, num_tokens + N, C).

    Args:
        num_tokens: int, how many learned tokens lead the sequence.
        initializer: initializer of the tokens (timm's: normal, std 1e-6).
    """

    def __init__(self, num_tokens=1, initializer=_CLASS_TOKEN_INITIALIZER, **kwargs):
        super().__init__(**kwargs)
        check_positive_int(num_tokens=num_tokens)
        self.num_tokens = num_tokens
        self.initializer = keras.initializers.get(initializer)

    def build(self, input_shape):
        self.tokens = self.add_weight(name="tokens", shape=(self.num_tokens, input_shape[-1]),
                                      initializer=self.initializer)

    def call(self, inputs):
        tokens = ops.cast(self.tokens, inputs.dtype)[None]  # (1, num_tokens, C)
        tokens = ops.broadcast_to(tokens, (ops.shape(inputs)[0], self.num_tokens, inputs.shape[-1]))
        return ops.concatenate([tokens, inputs], axis=1)  # (B, num_tokens + N, C)

    def compute_output_shape(self, input_shape):
        length = None if input_shape[1] is None else input_shape[1] + self.num_tokens
        return (input_shape[0], length, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "initializer": keras.initializers.serialize(self.initializer)}
