"""The Transformer (Vaswani et al., "Attention Is All You Need", 2017)."""

from keras_zoo.models.transformer.transformer_builder import build_transformer
from keras_zoo.models.transformer.transformer_loss import MaskedLabelSmoothedCrossEntropy
from keras_zoo.models.transformer.transformer_loss import MaskedTokenAccuracy
from keras_zoo.models.transformer.transformer_model import Transformer
from keras_zoo.models.transformer.transformer_schedule import TransformerSchedule
from keras_zoo.models.transformer.transformer_variants import TRANSFORMER_VARIANTS

__all__ = ["MaskedLabelSmoothedCrossEntropy", "MaskedTokenAccuracy", "TRANSFORMER_VARIANTS", "Transformer",
           "TransformerSchedule", "build_transformer"]
