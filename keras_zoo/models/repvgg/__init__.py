"""RepVGG (Ding et al., "RepVGG: Making VGG-style ConvNets Great Again", CVPR 2021)."""

from keras_zoo.models.repvgg.repvgg_backbone import RepVGGBackbone
from keras_zoo.models.repvgg.repvgg_block import RepVGGBlock
from keras_zoo.models.repvgg.repvgg_builder import build_repvgg
from keras_zoo.models.repvgg.repvgg_classifier import RepVGG
from keras_zoo.models.repvgg.repvgg_reparameterize import reparameterize
from keras_zoo.models.repvgg.repvgg_variants import REPVGG_VARIANTS

__all__ = ["REPVGG_VARIANTS", "RepVGG", "RepVGGBackbone", "RepVGGBlock", "build_repvgg", "reparameterize"]
