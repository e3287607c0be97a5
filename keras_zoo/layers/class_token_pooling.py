import keras


@keras.saving.register_keras_serializable(package="keras_zoo")
class ClassTokenPooling(keras.layers.Layer):
    """(B, N, C) tokens -> (B, C), the first one: ViT's class token."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.built = True

    def call(self, tokens):
        return tokens[:, 0]

    def compute_output_shape(self, tokens_shape):
        return (tokens_shape[0], tokens_shape[-1])
