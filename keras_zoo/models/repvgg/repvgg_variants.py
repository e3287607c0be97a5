"""RepVGG variants as data (Ding et al., CVPR 2021, Table 2), under timm's names.

Stage widths are the paper's 64, 128, 256, 512 times its width multipliers
(a, a, a, b); the stem is min(64, 64a) wide. "g4" variants group the convs of
every second block of a stage (the paper's layers 2, 4, 6, ... over the whole
network, the same layers) into 4 groups. `repvgg_tiny` is ours, for small
images and tests.
"""

_BASE_WIDTHS = (64, 128, 256, 512)
_A_DEPTHS = (2, 4, 14, 1)
_B_DEPTHS = (4, 6, 16, 1)


def _variant(depths, multipliers, groups=1):
    widths = tuple(int(base * m) for base, m in zip(_BASE_WIDTHS, multipliers))
    return {"depths": depths, "widths": widths, "stem_width": min(64, int(64 * multipliers[0])), "groups": groups}


REPVGG_VARIANTS = {
    "repvgg_tiny": {"depths": (1, 1, 2, 1), "widths": (16, 32, 64, 128), "stem_width": 16, "groups": 1},
    "repvgg_a0": _variant(_A_DEPTHS, (0.75, 0.75, 0.75, 2.5)),
    "repvgg_a1": _variant(_A_DEPTHS, (1, 1, 1, 2.5)),
    "repvgg_a2": _variant(_A_DEPTHS, (1.5, 1.5, 1.5, 2.75)),
    "repvgg_b0": _variant(_B_DEPTHS, (1, 1, 1, 2.5)),
    "repvgg_b1": _variant(_B_DEPTHS, (2, 2, 2, 4)),
    "repvgg_b1g4": _variant(_B_DEPTHS, (2, 2, 2, 4), groups=4),
    "repvgg_b2": _variant(_B_DEPTHS, (2.5, 2.5, 2.5, 5)),
    "repvgg_b2g4": _variant(_B_DEPTHS, (2.5, 2.5, 2.5, 5), groups=4),
    "repvgg_b3": _variant(_B_DEPTHS, (3, 3, 3, 5)),
    "repvgg_b3g4": _variant(_B_DEPTHS, (3, 3, 3, 5), groups=4),
}


def block_groups(block_index, groups):
    """The groups of block `block_index` (0-based, within its stage): `groups`
    on every second block, starting with the second (timm's `_rep_vgg_bcfg`)."""
    return groups if block_index % 2 == 1 else 1
