"""ViT and DeiT variants as data, under timm's names.

ViT-B/L/H: Dosovitskiy et al. 2021, Table 1; Ti and S: Touvron et al. 2021
(DeiT), Table 1, whose three models have ViT's architecture (they differ in
the training recipe only). `vit_micro_patch4_32` is ours: a ViT for 32x32
images (the carried digits, CIFAR) and the tests. `image_size` is the size
the position table is stored for; the MLP is 4x wide in every variant.
"""

_VIT = {"tiny": (192, 12, 3), "small": (384, 12, 6), "base": (768, 12, 12), "large": (1024, 24, 16),
        "huge": (1280, 32, 16)}  # (hidden_dim, depth, num_heads)


def _variant(size, patch_size, image_size=224):
    hidden_dim, depth, num_heads = _VIT[size]
    return {"patch_size": patch_size, "hidden_dim": hidden_dim, "depth": depth, "num_heads": num_heads,
            "image_size": image_size}


VIT_VARIANTS = {
    "vit_micro_patch4_32": {"patch_size": 4, "hidden_dim": 96, "depth": 6, "num_heads": 3, "image_size": 32},
    "vit_tiny_patch16_224": _variant("tiny", 16),
    "vit_small_patch16_224": _variant("small", 16),
    "vit_base_patch16_224": _variant("base", 16),
    "vit_base_patch32_224": _variant("base", 32),
    "vit_large_patch16_224": _variant("large", 16),
    "vit_huge_patch14_224": _variant("huge", 14),
    "deit_tiny_patch16_224": _variant("tiny", 16),
    "deit_small_patch16_224": _variant("small", 16),
    "deit_base_patch16_224": _variant("base", 16),
}


def vit_macs(patch_size, hidden_dim, depth, num_heads=None, mlp_ratio=4.0, image_size=224, num_classes=1000,
             in_channels=3):
    """Multiply-accumulates of one forward pass at `image_size`: the patch
    projection, every dense layer, and the two attention products (q k^T,
    weights v), the convention of fvcore and timm's GFLOPs column."""
    patches = (image_size // patch_size) ** 2
    tokens = patches + 1  # the class token
    intermediate = int(hidden_dim * mlp_ratio)
    embed = patches * patch_size * patch_size * in_channels * hidden_dim
    per_block = tokens * (4 * hidden_dim * hidden_dim + 2 * hidden_dim * intermediate) + 2 * tokens * tokens * hidden_dim
    return embed + depth * per_block + hidden_dim * num_classes
