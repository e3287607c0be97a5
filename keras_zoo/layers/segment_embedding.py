import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_zoo")
class SegmentEmbedding(keras.layers.Embedding):
    """BERT's segment (token type) embedding: a learned vector per segment
    (sentence A = 0, sentence B = 1), added to the token embeddings.

    `call(token_ids (B, T), segment_ids=None (B, T))` -> (B, T, d); with no
    segment ids every token is in segment 0, as Hugging Face's default.

    Args: those of `keras.layers.Embedding` (`input_dim` the number of
    segments).
    """

    def call(self, token_ids, segment_ids=None):
        if segment_ids is None:
            segment_ids = ops.zeros_like(token_ids)
        return super().call(segment_ids)

    def compute_output_shape(self, token_ids_shape, segment_ids_shape=None):
        return (*token_ids_shape, self.output_dim)

    def compute_output_spec(self, token_ids, segment_ids=None):
        return keras.KerasTensor(self.compute_output_shape(token_ids.shape), dtype=self.compute_dtype)
