"""ConvNeXt variants as data: stage depths and widths.

T/S/B/L/XL from Liu et al. 2022 (Section 2.6 and Table 1 of the paper);
atto/femto/pico/nano are timm's small variants for small images and tests.
"""

CONVNEXT_VARIANTS = {
    "convnext_atto": {"depths": (2, 2, 6, 2), "dims": (40, 80, 160, 320)},
    "convnext_femto": {"depths": (2, 2, 6, 2), "dims": (48, 96, 192, 384)},
    "convnext_pico": {"depths": (2, 2, 6, 2), "dims": (64, 128, 256, 512)},
    "convnext_nano": {"depths": (2, 2, 8, 2), "dims": (80, 160, 320, 640)},
    "convnext_tiny": {"depths": (3, 3, 9, 3), "dims": (96, 192, 384, 768)},
    "convnext_small": {"depths": (3, 3, 27, 3), "dims": (96, 192, 384, 768)},
    "convnext_base": {"depths": (3, 3, 27, 3), "dims": (128, 256, 512, 1024)},
    "convnext_large": {"depths": (3, 3, 27, 3), "dims": (192, 384, 768, 1536)},
    "convnext_xlarge": {"depths": (3, 3, 27, 3), "dims": (256, 512, 1024, 2048)},
}


def convnext_macs(depths, dims, image_size=224, num_classes=1000, in_channels=3):
    """Multiply-accumulates of one forward pass, counting convolutions and
    dense layers (the convention of the paper's "FLOPs" column and fvcore)."""
    side = image_size // 4
    macs = side * side * in_channels * dims[0] * 4 * 4  # stem
    for stage, (depth, dim) in enumerate(zip(depths, dims)):
        if stage > 0:
            side //= 2
            macs += side * side * dims[stage - 1] * dim * 2 * 2  # downsample
        per_block = 7 * 7 * dim + 2 * 4 * dim * dim  # dwconv + two pointwise
        macs += depth * side * side * per_block
    return macs + dims[-1] * num_classes
