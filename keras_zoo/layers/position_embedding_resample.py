"""Resampling a learned patch position embedding to another grid, as timm's
`resample_abs_pos_embed` does (PyTorch's bicubic `interpolate`,
align_corners off, antialias on by default): what lets a ViT trained at
224 px load into one at 384 px (Dosovitskiy et al., 2021, section 3.2,
"Fine-tuning and higher resolution").

The resize is a matrix per axis, written once for NumPy (load time, float64)
and keras.ops (run time, timm's `dynamic_img_size`): TF/JAX's own bicubic
resize uses other weights than PyTorch's.
"""

import math

import keras
import numpy as np

# PyTorch's bicubic convolution constants (aten/src/ATen/native/UpSample.h):
# -0.75 without antialiasing, PIL's -0.5 with it (`aa_filter`).
TORCH_BICUBIC_A = -0.75
TORCH_ANTIALIAS_BICUBIC_A = -0.5


def _cubic(x, a, xp):
    """Keys' cubic convolution kernel at `x` (any sign), zero beyond 2."""
    x = xp.abs(x)
    near = ((a + 2) * x - (a + 3)) * x * x + 1  # |x| <= 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a  # 1 < |x| < 2
    return xp.where(x < 1, near, xp.where(x < 2, far, 0.0 * x))


def bicubic_resize_matrix(old_size, new_size, antialias=True, xp=np):
    """(new_size, old_size) matrix M with resized = M @ values along one axis:
    PyTorch's `interpolate(mode="bicubic", align_corners=False)`.

    Without antialiasing: four taps around each source position, clamped
    to the edge. With it (PyTorch's `_upsample_bicubic2d_aa`, PIL's filter):
    the kernel widened by the downscale factor, every input pixel weighted,
    rows normalised to sum to 1 (which also handles the borders).

    `xp` is numpy (sizes ints, float64) or keras.ops (`new_size` may be a
    traced scalar; float32).
    """
    float_dtype = "float64" if xp is np else "float32"
    old = xp.arange(old_size, dtype=float_dtype) if xp is np else xp.cast(xp.arange(old_size), float_dtype)
    new = xp.arange(new_size, dtype=float_dtype) if xp is np else xp.cast(xp.arange(new_size), float_dtype)
    scale = old_size / (new_size if xp is np else xp.cast(new_size, float_dtype))
    if antialias:
        stretch = xp.maximum(scale, 1.0)  # widen the kernel only when downscaling
        centre = scale * (new + 0.5)  # (new,) in input pixel units
        weights = _cubic((old[None, :] + 0.5 - centre[:, None]) / stretch, TORCH_ANTIALIAS_BICUBIC_A, xp)
        return weights / xp.sum(weights, axis=1, keepdims=True)
    source = (new + 0.5) * scale - 0.5  # (new,) pixel centres
    first = xp.floor(source)
    offsets = xp.arange(-1, 3, dtype=float_dtype) if xp is np else xp.cast(xp.arange(-1, 3), float_dtype)
    taps = xp.clip(first[:, None] + offsets, 0, old_size - 1)  # (new, 4)
    weights = _cubic(source[:, None] - first[:, None] - offsets, TORCH_BICUBIC_A, xp)  # (new, 4)
    hits = xp.where(taps[:, :, None] == old[None, None, :], 1.0, 0.0)  # (new, 4, old)
    return xp.sum(weights[:, :, None] * hits, axis=1)


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


def resample_position_embedding(embedding, new_grid, old_grid=None, num_prefix_tokens=1, antialias=True):
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
        antialias: bool, PyTorch's antialiased bicubic (timm's default).

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
    grid = np.einsum("Hh,hwd->Hwd", bicubic_resize_matrix(old_h, new_h, antialias), grid.astype("float64"))
    grid = np.einsum("Ww,Hwd->HWd", bicubic_resize_matrix(old_w, new_w, antialias), grid)
    resampled = np.concatenate([prefix, grid.reshape(new_h * new_w, -1).astype(table.dtype)])
    return resampled.reshape(table.shape[:-2] + resampled.shape)
