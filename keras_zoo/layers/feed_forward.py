import keras

from keras_zoo.layers.dense import Dense
from keras_zoo.utils.validation import check_positive_int, check_rate


@keras.saving.register_keras_serializable(package="keras_zoo")
class FeedForward(keras.layers.Layer):
    """Position-wise feed-forward network (Vaswani et al., 2017, eq. 2):
    Dense(intermediate_dim, activation) -> dropout -> Dense(width).

    Args:
        intermediate_dim: int, the hidden width (d_ff, 2048 in the base model).
        activation: activation of the hidden layer ("relu" in the paper,
            "gelu" in BERT/ViT).
        dropout: float in [0, 1), dropout on the hidden activations (0 in the
            paper; tensor2tensor's relu_dropout).
        kernel_initializer: initializer of both projections.
        seed: optional int seed of the dropout generator.
    """

    def __init__(self, intermediate_dim, activation="relu", dropout=0.0,
                 kernel_initializer="glorot_uniform", seed=None, **kwargs):
        super().__init__(**kwargs)
        check_positive_int(intermediate_dim=intermediate_dim)
        check_rate(dropout=dropout)
        self.intermediate_dim = intermediate_dim
        self.activation = keras.activations.get(activation)
        self.dropout = dropout
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.seed = seed
        self.intermediate_dense = Dense(
            intermediate_dim, activation=self.activation,
            kernel_initializer=self._initializer(), dtype=self.dtype_policy, name="intermediate",
        )
        self.hidden_dropout = keras.layers.Dropout(
            dropout, seed=seed, dtype=self.dtype_policy, name="hidden_dropout"
        )

    def _initializer(self):  # a fresh instance per layer (keras warns on reuse)
        return keras.initializers.get(keras.initializers.serialize(self.kernel_initializer))

    def build(self, input_shape):
        self.output_dense = Dense(
            input_shape[-1], kernel_initializer=self._initializer(),
            dtype=self.dtype_policy, name="output",
        )
        self.intermediate_dense.build(input_shape)
        self.hidden_dropout.build(None)
        self.output_dense.build(tuple(input_shape[:-1]) + (self.intermediate_dim,))

    def call(self, inputs, training=None):
        x = self.intermediate_dense(inputs)  # (B, T, d_ff)
        return self.output_dense(self.hidden_dropout(x, training=training))  # (B, T, d)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "intermediate_dim": self.intermediate_dim,
            "activation": keras.activations.serialize(self.activation),
            "dropout": self.dropout,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "seed": self.seed,
        }
