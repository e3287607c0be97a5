import math

import keras
from keras import ops


def _positions(length, start_index):
    return ops.cast(ops.arange(length) + start_index, "float32")  # (T,)


@keras.saving.register_keras_serializable(package="keras_zoo")
class SinusoidalPositionEncoding(keras.layers.Layer):
    """Fixed sine/cosine position encoding (Vaswani et al., 2017, section 3.5).

    PE(pos, 2i) = sin(pos / max_wavelength^(2i/d)),
    PE(pos, 2i+1) = cos(pos / max_wavelength^(2i/d)).

    `call(inputs, start_index=0)` returns the encoding of positions
    `start_index, ..., start_index + T - 1`, broadcast to `inputs` (B, T, d),
    to be added to them. Computed in float32, returned in the compute dtype.

    Args:
        max_wavelength: float, the longest wavelength (10000 in the paper).
    """

    def __init__(self, max_wavelength=10000.0, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(max_wavelength, (int, float)) or max_wavelength <= 1:
            raise ValueError(
                f"`max_wavelength` must be a number > 1. Received: max_wavelength={max_wavelength}"
            )
        self.max_wavelength = float(max_wavelength)
        self.built = True

    def call(self, inputs, start_index=0):
        length, width = ops.shape(inputs)[-2], inputs.shape[-1]
        if width % 2:
            raise ValueError(f"The encoded width must be even. Received: inputs.shape={inputs.shape}")
        pair = ops.arange(width // 2, dtype="float32")  # (d/2,)
        frequencies = ops.exp(pair * (-2.0 * math.log(self.max_wavelength) / width))
        angles = _positions(length, start_index)[:, None] * frequencies[None, :]  # (T, d/2)
        # Interleave so that even channels hold sines, odd ones cosines.
        encoding = ops.reshape(ops.stack([ops.sin(angles), ops.cos(angles)], axis=-1), (length, width))
        return ops.broadcast_to(ops.cast(encoding, self.compute_dtype), ops.shape(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "max_wavelength": self.max_wavelength}


@keras.saving.register_keras_serializable(package="keras_zoo")
class LearnedPositionEmbedding(keras.layers.Layer):
    """A learned vector per position (the paper's alternative, section 3.5,
    Table 3 row E), for sequences up to `sequence_length`.

    `call(inputs, start_index=0)` returns the embeddings of positions
    `start_index, ..., start_index + T - 1`, broadcast to `inputs` (B, T, d).

    Args:
        sequence_length: int, the number of learned positions.
        initializer: initializer of the position table.
    """

    def __init__(self, sequence_length, initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        if not isinstance(sequence_length, int) or sequence_length <= 0:
            raise ValueError(
                f"`sequence_length` must be a positive int. Received: sequence_length={sequence_length}"
            )
        self.sequence_length = sequence_length
        self.initializer = keras.initializers.get(initializer)

    def build(self, input_shape):
        self.position_embeddings = self.add_weight(
            name="embeddings",
            shape=(self.sequence_length, input_shape[-1]),
            initializer=self.initializer,
        )

    def call(self, inputs, start_index=0):
        length = ops.shape(inputs)[-2]
        table = ops.convert_to_tensor(self.position_embeddings)
        rows = ops.slice(table, (start_index, 0), (length, inputs.shape[-1]))  # (T, d)
        return ops.broadcast_to(ops.cast(rows, self.compute_dtype), ops.shape(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "sequence_length": self.sequence_length,
            "initializer": keras.initializers.serialize(self.initializer),
        }
