"""Resampling a learned patch position embedding to another grid, as timm's
`resample_abs_pos_embed` does (bicubic, antialias off, align_corners off):
what lets a ViT trained at 224 px load into one at 384 px (Dosovitskiy et
al., 2021, section 3.2, "Fine-tuning and higher resolution").

NumPy, not keras.ops: it runs once, at load time, and TF/JAX's bicubic
resize uses a = -0.5 where PyTorch's (timm's) uses a = -0.75.
"""

import math

import keras
import numpy as np

# PyTorch's bicubic convolution constant (aten/src/ATen/native/UpSample.h).
TORCH_BICUBIC_A = -0.75


def _cubic_weights(t, a):
    """Weights of the four taps at offsets -1, 0, 1, 2 from floor(x), for
    fractions `t` (N,): Keys' cubic convolution kernel, as PyTorch's
    `get_cubic_upsample_coefficients`. Returns (N, 4)."""

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return np.stack([far(t + 1), near(t), near(1 - t), far(2 - t)], axis=-1)


def bicubic_resize_matrix(old_size, new_size, a=TORCH_BICUBIC_A):
    """(new_size, old_size) matrix M with resized = M @ values along one
    axis: PyTorch's `interpolate(mode="bicubic", align_corners=False)`
    without antialiasing, taps beyond the border clamped to the edge."""
    scale = old_size / new_size
    source = (np.arange(new_size) + 0.5) * scale - 0.5  # (new,) pixel centres
    first = np.floor(source)
    weights = _cubic_weights(source - first, a)  # (new, 4)
    taps = np.clip(first[:, None].astype(int) + np.arange(-1, 3), 0, old_size - 1)  # (new, 4)
    matrix = np.zeros((new_size, old_size))
    np.add.at(matrix, (np.arange(new_size)[:, None].repeat(4, 1), taps), weights)
    return matrix


def grid_pair(grid, name):
    """`grid` (an int: square) as (height, width); ValueError naming `name` otherwise."""
    pair = (grid, grid) if isinstance(grid, int) else grid
    if (not isinstance(pair, (tuple, list)) or len(pair) != 2
            or not all(isinstance(n, int) and n > 0 for n in pair)):
        raise ValueError(
            f"`{name}` must be a positive int or a pair (height, width) of positive ints. "
            f"Received: {name}={grid}"
        )
    return tuple(pair)


def resample_position_embedding(embedding, new_grid, old_grid=None, num_prefix_tokens=1):
    """Resamples a position embedding of `num_prefix_tokens` + old_h * old_w
    rows (patches in row-major order) to new_h * new_w patch rows.

    Prefix tokens (the class token, DeiT's distillation token) are kept as
    they are; the patch rows are resized bicubically as a (old_h, old_w, d)
    image. Computed in float64, returned as NumPy in the input's dtype.

    Args:
        embedding: (N, d) or (1, N, d) (timm's layout), any array-like.
        new_grid: int or (height, width), the grid to resample to.
        old_grid: int or (height, width); None: square, from N.
        num_prefix_tokens: int >= 0, the leading rows that are no patches.

    Returns:
        the resampled embedding, of the input's rank.
    """
    table = keras.ops.convert_to_numpy(embedding) if keras.ops.is_tensor(embedding) else np.asarray(embedding)
    if table.ndim not in (2, 3) or (table.ndim == 3 and table.shape[0] != 1):
        raise ValueError(f"`embedding` must be (N, d) or (1, N, d). Received: embedding.shape={table.shape}")
    if not isinstance(num_prefix_tokens, int) or not 0 <= num_prefix_tokens <= table.shape[-2]:
        raise ValueError(
            f"`num_prefix_tokens` must be an int in [0, {table.shape[-2]}] (the embedding's rows). "
            f"Received: num_prefix_tokens={num_prefix_tokens}"
        )
    new_h, new_w = grid_pair(new_grid, "new_grid")
    patches = table.shape[-2] - num_prefix_tokens
    if old_grid is None:
        side = math.isqrt(patches)
        if side * side != patches:
            raise ValueError(
                f"The embedding's {patches} patch rows form no square grid: pass `old_grid`. "
                f"Received: embedding.shape={table.shape}, num_prefix_tokens={num_prefix_tokens}"
            )
        old_grid = side
    old_h, old_w = grid_pair(old_grid, "old_grid")
    if old_h * old_w != patches:
        raise ValueError(
            f"`old_grid` {old_h}x{old_w} needs {old_h * old_w} patch rows; the embedding has {patches}. "
            f"Received: embedding.shape={table.shape}, old_grid={old_grid}, num_prefix_tokens={num_prefix_tokens}"
        )

    rows = table.reshape(table.shape[-2:])  # (N, d)
    prefix, grid = rows[:num_prefix_tokens], rows[num_prefix_tokens:].reshape(old_h, old_w, -1)
    # Separable: along the height, then the width (the same sum as PyTorch's 4x4 taps).
    grid = np.einsum("Hh,hwd->Hwd", bicubic_resize_matrix(old_h, new_h), grid.astype("float64"))
    grid = np.einsum("Ww,Hwd->HWd", bicubic_resize_matrix(old_w, new_w), grid)
    resampled = np.concatenate([prefix, grid.reshape(new_h * new_w, -1).astype(table.dtype)])
    return resampled.reshape(table.shape[:-2] + resampled.shape)
