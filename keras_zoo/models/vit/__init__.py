"""ViT (Dosovitskiy et al., ICLR 2021) and DeiT (Touvron et al., ICML 2021)."""

from keras_zoo.models.vit.vit_backbone import ViTBackbone
from keras_zoo.models.vit.vit_builder import build_vit
from keras_zoo.models.vit.vit_classifier import ViT
from keras_zoo.models.vit.vit_variants import VIT_VARIANTS, vit_macs

__all__ = ["VIT_VARIANTS", "ViT", "ViTBackbone", "build_vit", "vit_macs"]
