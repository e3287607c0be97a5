"""ConvNeXt (Liu et al., "A ConvNet for the 2020s", 2022)."""

from keras_zoo.models.convnext.convnext_backbone import ConvNeXtBackbone
from keras_zoo.models.convnext.convnext_block import ConvNeXtBlock
from keras_zoo.models.convnext.convnext_builder import build_convnext
from keras_zoo.models.convnext.convnext_classifier import ConvNeXt
from keras_zoo.models.convnext.convnext_variants import CONVNEXT_VARIANTS, convnext_macs

__all__ = [
    "CONVNEXT_VARIANTS",
    "ConvNeXt",
    "ConvNeXtBackbone",
    "ConvNeXtBlock",
    "build_convnext",
    "convnext_macs",
]
