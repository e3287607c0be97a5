"""Writes 8-bit grayscale or RGB PNG files with the standard library only
(no Pillow dependency)."""

import struct
import zlib

import numpy as np

_COLOUR_TYPES = {1: 0, 3: 2}  # channels -> PNG colour type (grey, RGB)


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_png(path, image):
    """Writes a uint8 `(H, W)`, `(H, W, 1)` or `(H, W, 3)` array to `path`."""
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[..., None]
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[-1] not in _COLOUR_TYPES:
        raise ValueError(
            "`image` must be uint8 (H, W), (H, W, 1) or (H, W, 3). "
            f"Received: dtype={image.dtype}, shape={image.shape}"
        )
    height, width, channels = image.shape
    # Each row starts with filter type 0 (none).
    rows = np.concatenate([np.zeros((height, 1), np.uint8), image.reshape(height, width * channels)], axis=1)
    header = struct.pack(">IIBBBBB", width, height, 8, _COLOUR_TYPES[channels], 0, 0, 0)
    with open(path, "wb") as file:
        file.write(b"\x89PNG\r\n\x1a\n")
        file.write(_chunk(b"IHDR", header))
        file.write(_chunk(b"IDAT", zlib.compress(rows.tobytes(), 9)))
        file.write(_chunk(b"IEND", b""))
