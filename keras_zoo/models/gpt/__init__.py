"""GPT-2 (Radford et al., "Language Models are Unsupervised Multitask Learners", 2019)."""

from keras_zoo.models.gpt.gpt_backbone import GPTBackbone
from keras_zoo.models.gpt.gpt_builder import build_gpt
from keras_zoo.models.gpt.gpt_variants import GPT_VARIANTS

__all__ = ["GPT_VARIANTS", "GPTBackbone", "build_gpt"]
