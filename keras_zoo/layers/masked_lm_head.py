import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_zoo")
class MaskedLMHead(keras.layers.Layer):
    """BERT's masked-LM output (Devlin et al., 2019; Hugging Face's
    `BertLMPredictionHead`): a Dense transform of the model width with an
    activation, a LayerNorm, then logits against the token embedding (the
    output projection tied to it) plus a bias per token.

    `call(inputs (B, T, d))` -> float32 logits (B, T, V).

    Args:
        token_embedding: the model's `keras.layers.ReversibleEmbedding`,
            whose matrix is the output projection. Not part of the config:
            the model that owns the embedding passes it in again.
        activation: the transform's activation (BERT: exact GELU).
        layer_norm_epsilon: float (BERT: 1e-12).
        kernel_initializer: the transform's kernel initializer.
    """

    def __init__(self, token_embedding=None, activation="gelu", layer_norm_epsilon=1e-12,
                 kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        if not isinstance(token_embedding, keras.layers.ReversibleEmbedding):
            raise ValueError(
                "MaskedLMHead needs the model's `keras.layers.ReversibleEmbedding` as `token_embedding`. "
                f"Received: token_embedding={token_embedding!r}"
            )
        self.token_embedding = token_embedding
        self.activation = keras.activations.get(activation)
        self.layer_norm_epsilon = layer_norm_epsilon
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, inputs_shape):
        width = inputs_shape[-1]
        self.transform = keras.layers.Dense(width, activation=self.activation,
                                            kernel_initializer=self.kernel_initializer,
                                            dtype=self.dtype_policy, name="transform")
        self.transform.build(inputs_shape)
        self.transform_norm = keras.layers.LayerNormalization(epsilon=self.layer_norm_epsilon,
                                                              dtype=self.dtype_policy, name="transform_norm")
        self.transform_norm.build(inputs_shape)
        self.output_bias = self.add_weight(shape=(self.token_embedding.input_dim,), initializer="zeros",
                                           name="output_bias")

    def call(self, inputs):
        x = self.transform_norm(self.transform(inputs))  # (B, T, d)
        logits = ops.cast(self.token_embedding(x, reverse=True), "float32")  # x @ E^T, (B, T, V)
        return logits + ops.cast(self.output_bias, "float32")

    def compute_output_shape(self, inputs_shape):
        return (*inputs_shape[:-1], self.token_embedding.input_dim)

    def compute_output_spec(self, inputs):
        return keras.KerasTensor(self.compute_output_shape(inputs.shape), dtype="float32")

    def get_config(self):
        return {
            **super().get_config(),
            "activation": keras.activations.serialize(self.activation),
            "layer_norm_epsilon": self.layer_norm_epsilon,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
        }
