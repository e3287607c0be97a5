"""BERT (Devlin et al., "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding", 2019)."""

from keras_zoo.models.bert.bert_backbone import BERTBackbone
from keras_zoo.models.bert.bert_builder import build_bert
from keras_zoo.models.bert.bert_variants import BERT_VARIANTS

__all__ = ["BERT_VARIANTS", "BERTBackbone", "build_bert"]
