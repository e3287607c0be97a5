import functools

import keras

from keras_zoo.models.bert.bert_backbone import INIT_STDDEV
from keras_zoo.models.bert.bert_backbone import LAYER_NORM_EPSILON
from keras_zoo.models.bert.bert_backbone import BERTBackbone
from keras_zoo.models.bert.bert_variants import BERT_VARIANTS
from keras_zoo.models.bert.bert_weights import load_bert_weights
from keras_zoo.models.masked_lm import MaskedLM
from keras_zoo.models.next_sentence_masked_lm import NextSentenceMaskedLM
from keras_zoo.models.text_classifier import TextClassifier
from keras_zoo.registry import register_model
from keras_zoo.utils.arguments import keyword_arguments


def build_bert(variant, weights=None, features_only=False, num_classes=None, classifier_dropout=None,
               next_sentence_prediction=False, **overrides):
    """Builds a registered BERT variant: a `MaskedLM` ({"token_ids",
    "segment_ids", "padding_mask"} or token ids alone -> float32 logits
    (B, T, V), the output projection tied to the token embedding); with
    `num_classes=N` a `TextClassifier` (float32 logits (B, N) from the
    pooled [CLS] output); with `features_only=True` its `BERTBackbone`
    ({"sequence_output", "pooled_output"}); with
    `next_sentence_prediction=True` a `NextSentenceMaskedLM` (both of BERT's
    pretraining heads: {"masked_lm_logits", "next_sentence_logits"}).

    Args:
        variant: a key of `BERT_VARIANTS`, e.g. "bert_base".
        weights: optional path to a `.weights.h5` / `.keras` file of ours, or
            a Hugging Face `BertModel` / `BertForMaskedLM` /
            `BertForPreTraining` / `BertForSequenceClassification`
            checkpoint (`model.safetensors`, `pytorch_model.bin`).
        features_only: return the backbone.
        num_classes: int, return a sequence classifier.
        classifier_dropout: the classifier's dropout; None: the backbone's.
        next_sentence_prediction: add the next-sentence head to the masked
            LM (Hugging Face's `BertForPreTraining`).
        **overrides: `BERTBackbone` arguments (`dropout`, `dtype`, ...).
    """
    heads = {"features_only": features_only, "num_classes": num_classes is not None,
             "next_sentence_prediction": next_sentence_prediction}
    if sum(map(bool, heads.values())) > 1:
        raise ValueError(f"Give one of `features_only=True`, `num_classes` or `next_sentence_prediction=True`. "
                         f"Received: features_only={features_only}, num_classes={num_classes}, "
                         f"next_sentence_prediction={next_sentence_prediction}")
    config = {**BERT_VARIANTS[variant], **overrides}
    backbone = BERTBackbone(**{"name": variant if features_only else f"{variant}_backbone", **config})
    initializer = keras.initializers.TruncatedNormal(stddev=INIT_STDDEV, seed=config.get("seed"))
    if features_only:
        model = backbone
    elif num_classes is not None:
        dropout = backbone.dropout if classifier_dropout is None else classifier_dropout
        model = TextClassifier(backbone, num_classes, dropout=dropout, kernel_initializer=initializer,
                               seed=config.get("seed"), name=variant)
    elif next_sentence_prediction:
        model = NextSentenceMaskedLM(backbone, activation="gelu", layer_norm_epsilon=LAYER_NORM_EPSILON,
                                     kernel_initializer=initializer, name=variant)
    else:
        model = MaskedLM(backbone, activation="gelu", layer_norm_epsilon=LAYER_NORM_EPSILON,
                         kernel_initializer=initializer, name=variant)
    if weights is not None:
        load_bert_weights(model, weights)
    return model


_ARGUMENTS = keyword_arguments(build_bert, BERTBackbone.__init__, exclude=("variant",))
for _name in BERT_VARIANTS:
    register_model(_name, functools.partial(build_bert, _name), _ARGUMENTS,
                   model_parallel_layout=BERTBackbone.model_parallel_layout)
