import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_zoo")
class PaddingMask(keras.layers.Layer):
    """The padding mask a model was given, or else the one its token ids
    imply: bool (B, T), True = a real token (id != `padding_token_id`).

    `call(token_ids (B, T), padding_mask=None (B, T))`.

    Args:
        padding_token_id: int, the id of padding; None: with no mask given
            every token is real.
    """

    def __init__(self, padding_token_id=0, **kwargs):
        super().__init__(**kwargs)
        self.padding_token_id = padding_token_id
        self.built = True

    def call(self, token_ids, padding_mask=None):
        if padding_mask is not None:
            return ops.cast(padding_mask, "bool")
        if self.padding_token_id is None:
            return ops.ones_like(token_ids, dtype="bool")
        return ops.not_equal(token_ids, self.padding_token_id)

    def compute_output_spec(self, token_ids, padding_mask=None):
        return keras.KerasTensor(token_ids.shape, dtype="bool")

    def get_config(self):
        return {**super().get_config(), "padding_token_id": self.padding_token_id}
