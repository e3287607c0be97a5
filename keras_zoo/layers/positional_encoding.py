import math

import keras
import numpy as np
from keras import ops

from keras_zoo.layers.position_embedding_resample import bicubic_resize_matrix
from keras_zoo.layers.position_embedding_resample import grid_pair
from keras_zoo.layers.position_embedding_resample import resample_position_embedding

# ViT's position-embedding initializer: timm's trunc_normal_(std=0.02), whose
# bounds are +-2 in absolute terms (100 std): a plain normal.
_VIT_INITIALIZER = {"class_name": "RandomNormal", "config": {"stddev": 0.02}}


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

    `call(inputs, start_index=0, padding_mask=None)` returns the embeddings
    of positions `start_index, ..., start_index + T - 1`, broadcast to
    `inputs` (B, T, d). Given a padding mask (B, S >= start_index + T, True
    = a real token) over the slots the T tokens sit in from `start_index`,
    a token's position is the number of real tokens before it instead (the
    padding's own rows are those of position 0), so a left-padded row gets
    the positions it would have alone (Hugging Face's position_ids from the
    attention mask).

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

    def call(self, inputs, start_index=0, padding_mask=None):
        length = inputs.shape[-2]
        if length is not None and isinstance(start_index, int) and start_index + length > self.sequence_length:
            # A gather past the table is an error on TensorFlow but clamps silently on JAX.
            raise ValueError(
                f"This layer has {self.sequence_length} learned positions; positions up to "
                f"{start_index + length - 1} were asked for. Received: inputs.shape={inputs.shape}, "
                f"start_index={start_index}"
            )
        length = ops.shape(inputs)[-2]
        table = ops.convert_to_tensor(self.position_embeddings)
        if padding_mask is None:
            rows = ops.slice(table, (start_index, 0), (length, inputs.shape[-1]))  # (T, d)
            return ops.broadcast_to(ops.cast(rows, self.compute_dtype), ops.shape(inputs))
        real_before = ops.cumsum(ops.cast(padding_mask, "int32"), axis=-1) - 1  # (B, S)
        slots = ops.arange(length, dtype="int32") + ops.cast(start_index, "int32")  # a gather: traced start is fine
        positions = ops.maximum(ops.take(real_before, slots, axis=1), 0)  # (B, T)
        return ops.cast(ops.take(table, positions, axis=0), self.compute_dtype)  # (B, T, d)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "sequence_length": self.sequence_length,
            "initializer": keras.initializers.serialize(self.initializer),
        }


@keras.saving.register_keras_serializable(package="keras_zoo")
class PatchPositionEmbedding(keras.layers.Layer):
    """A learned vector per token of a ViT's sequence (Dosovitskiy et al.,
    2021, eq. 1): `num_prefix_tokens` (the class token) and then the patches
    of a `grid_size` grid in row-major order.

    `call(inputs, patch_grid=None)` returns the table broadcast to `inputs`
    (B, num_prefix_tokens + h * w, d), to be added to them. Given the patch
    grid (B, h, w, any) whose (h, w) differs from `grid_size` (or is known
    only at run time), the patch rows are resampled to it on the fly, as
    timm's `dynamic_img_size`.

    Weights saved for another grid are resampled on loading
    (`resample_position_embedding`, timm's bicubic): `load_weights` does it
    for a saved square grid; `set_resampled_embedding` takes any grid.

    Args:
        grid_size: int or (height, width), the patch grid of the table.
        num_prefix_tokens: int >= 0, the leading tokens that are no patches.
        initializer: initializer of the table.
        antialias: bool, resample with PyTorch's antialiased bicubic (timm's
            default, on loading and at run time) or the plain one.
    """

    def __init__(self, grid_size, num_prefix_tokens=1, initializer=_VIT_INITIALIZER, antialias=True, **kwargs):
        super().__init__(**kwargs)
        grid_size = grid_pair(grid_size, "grid_size")
        if isinstance(num_prefix_tokens, bool) or not isinstance(num_prefix_tokens, int) or num_prefix_tokens < 0:
            raise ValueError(
                f"`num_prefix_tokens` must be an int >= 0. Received: num_prefix_tokens={num_prefix_tokens}"
            )
        self.grid_size = tuple(grid_size)
        self.num_prefix_tokens = num_prefix_tokens
        self.initializer = keras.initializers.get(initializer)
        self.antialias = bool(antialias)
        self.sequence_length = num_prefix_tokens + grid_size[0] * grid_size[1]

    def build(self, inputs_shape, patch_grid_shape=None):
        if patch_grid_shape is None and inputs_shape[-2] is not None and inputs_shape[-2] != self.sequence_length:
            raise ValueError(
                f"A {self.grid_size[0]}x{self.grid_size[1]} grid after {self.num_prefix_tokens} prefix "
                f"tokens needs {self.sequence_length} tokens. Received: input_shape={inputs_shape}"
            )
        self.position_embeddings = self.add_weight(
            name="embeddings",
            shape=(self.sequence_length, inputs_shape[-1]),
            initializer=self.initializer,
        )

    def call(self, inputs, patch_grid=None):
        table = ops.cast(self.position_embeddings, self.compute_dtype)  # (T, d)
        if patch_grid is not None and tuple(patch_grid.shape[1:3]) != self.grid_size:
            table = self._resampled(table, ops.shape(patch_grid)[1], ops.shape(patch_grid)[2])
        return ops.broadcast_to(table, ops.shape(inputs))

    def _resampled(self, table, height, width):
        """The table with its patch rows resampled to a (height, width) grid
        known at run time: (prefix + height * width, d), float32 math."""
        old_h, old_w = self.grid_size
        prefix, grid = table[: self.num_prefix_tokens], table[self.num_prefix_tokens:]
        grid = ops.reshape(ops.cast(grid, "float32"), (old_h, old_w, -1))
        rows = bicubic_resize_matrix(old_h, height, self.antialias, xp=ops)  # (height, old_h)
        columns = bicubic_resize_matrix(old_w, width, self.antialias, xp=ops)  # (width, old_w)
        grid = ops.einsum("Hh,Ww,hwd->HWd", rows, columns, grid)
        grid = ops.cast(ops.reshape(grid, (-1, table.shape[-1])), table.dtype)
        return ops.concatenate([prefix, grid], axis=0)

    def set_resampled_embedding(self, embedding, old_grid=None):
        """Assigns `embedding` ((T', d) or timm's (1, T', d), the same prefix
        tokens, patches of `old_grid`; None: square) resampled to this grid."""
        width = self.position_embeddings.shape[-1]
        if np.shape(embedding)[-1] != width:
            raise ValueError(
                f"The embedding's width must be this layer's, {width}. "
                f"Received: embedding.shape={np.shape(embedding)}"
            )
        resampled = resample_position_embedding(
            embedding, self.grid_size, old_grid, self.num_prefix_tokens, antialias=self.antialias)
        self.position_embeddings.assign(np.reshape(resampled, self.position_embeddings.shape))

    def load_own_variables(self, store):
        # A table saved for another grid (a square one) is resampled to this one.
        saved = store["0"] if len(store) == 1 else None
        if saved is not None and tuple(saved.shape) != tuple(self.position_embeddings.shape):
            self.set_resampled_embedding(np.asarray(saved))
        else:
            super().load_own_variables(store)

    def compute_output_shape(self, inputs_shape, patch_grid_shape=None):
        return inputs_shape

    def get_config(self):
        return {
            **super().get_config(),
            "grid_size": self.grid_size,
            "num_prefix_tokens": self.num_prefix_tokens,
            "initializer": keras.initializers.serialize(self.initializer),
            "antialias": self.antialias,
        }
