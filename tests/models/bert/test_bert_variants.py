"""BERT's parameter counts, exact: the backbone (with its pooler) as Hugging
Face's `BertModel` counts it, the masked LM adding its transform, LayerNorm
and output bias (the decoder tied to the token embedding)."""

import pytest

import keras_zoo
from keras_zoo.models.bert import BERT_VARIANTS

BACKBONE_COUNTS = {"bert_base": 109_482_240, "bert_large": 335_141_888}  # the issue's, HF's BertModel


def _masked_lm_head(width, vocabulary_size):
    return width * width + width + 2 * width + vocabulary_size


def test_bert_base_counts():
    backbone = keras_zoo.create_model("bert_base", features_only=True)
    assert backbone.count_params() == BACKBONE_COUNTS["bert_base"]
    model = keras_zoo.create_model("bert_base")
    assert model.count_params() == BACKBONE_COUNTS["bert_base"] + _masked_lm_head(768, 30522)
    assert model.output_shape == (None, None, 30522)


def test_bert_large_counts_from_its_own_blocks():
    # Built at full width with one and two blocks over one token and one
    # position (BERT-Large's 1.3 GB are too much for the suite): the
    # difference is one block; embeddings grow by a row per token.
    config = BERT_VARIANTS["bert_large"]
    one, two = (
        keras_zoo.create_model("bert_large", features_only=True, num_layers=n, vocabulary_size=1,
                               max_sequence_length=1, padding_token_id=None).count_params() for n in (1, 2)
    )
    rows = config["vocabulary_size"] - 1 + config["max_sequence_length"] - 1
    assert one + (config["num_layers"] - 1) * (two - one) + rows * config["hidden_dim"] == BACKBONE_COUNTS["bert_large"]


@pytest.mark.parametrize("name", sorted(set(BERT_VARIANTS) - {"bert_micro"}))
def test_counts_are_hugging_faces(name):
    # An independent count: transformers' BertForMaskedLM and BertModel on torch's meta device.
    import torch
    from transformers import BertForMaskedLM, BertModel

    from bert_references import hugging_face_config

    config = {key: BERT_VARIANTS[name][key] for key in
              ("num_layers", "hidden_dim", "num_heads", "vocabulary_size", "max_sequence_length")}
    with torch.device("meta"):
        encoder = BertModel(hugging_face_config(**config))
        masked_lm = BertForMaskedLM(hugging_face_config(**config))
    if name in BACKBONE_COUNTS:
        assert encoder.num_parameters() == BACKBONE_COUNTS[name]
    # BertForMaskedLM has no pooler: ours keeps one (a classifier fine-tuned from it needs it).
    pooler = config["hidden_dim"] ** 2 + config["hidden_dim"]
    assert masked_lm.num_parameters() + pooler == (
        encoder.num_parameters() + _masked_lm_head(config["hidden_dim"], config["vocabulary_size"]))
    if name not in BACKBONE_COUNTS:  # checked against the same counts above
        assert keras_zoo.create_model(name).count_params() == masked_lm.num_parameters() + pooler
