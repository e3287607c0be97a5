"""Writes 8-bit grayscale or RGB PNG files with `keras.utils.save_img`
(Pillow, which `keras-zoo[train]` brings with matplotlib)."""

import keras
import numpy as np

_CHANNELS = (1, 3)


def write_png(path, image):
    """Writes a uint8 `(H, W)`, `(H, W, 1)` or `(H, W, 3)` array to `path`, losslessly."""
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[..., None]
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[-1] not in _CHANNELS:
        raise ValueError(
            "`image` must be uint8 (H, W), (H, W, 1) or (H, W, 3). "
            f"Received: dtype={image.dtype}, shape={image.shape}"
        )
    keras.utils.save_img(path, image, data_format="channels_last", file_format="png", scale=False)
