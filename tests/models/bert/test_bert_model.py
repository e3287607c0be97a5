"""BERT's own behaviour: the classifier and backbone through the shared
model checks, padding invariance, the original initialisation, and a
classifier fine-tuned from a pretraining checkpoint."""

import keras
import numpy as np
import pytest

import keras_zoo
from keras_zoo.testing import check_backbone, check_model

TINY = dict(vocabulary_size=20, num_layers=1, hidden_dim=8, num_heads=2, max_sequence_length=16,
            dropout=0.2, attention_dropout=0.1, seed=1)
RNG = np.random.default_rng(0)
IDS = RNG.integers(1, 20, size=(2, 6)).astype("int32")
PAIRS = {"token_ids": IDS, "segment_ids": np.array([[0, 0, 0, 1, 1, 1]] * 2, "int32"),
         "padding_mask": np.array([[1] * 6, [1] * 4 + [0] * 2], bool)}


def _classifier(**kwargs):
    model = keras_zoo.create_model("bert_micro", num_classes=3, **TINY, **kwargs)
    model.compile(optimizer=keras.optimizers.SGD(0.1),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def test_classifier_checks(tmp_path):
    check_model(_classifier, PAIRS, str(tmp_path), (PAIRS, np.array([0, 2])))


def test_next_sentence_model_checks(tmp_path):
    def build(**kwargs):
        model = keras_zoo.create_model("bert_micro", next_sentence_prediction=True, **TINY, **kwargs)
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        model.compile(optimizer=keras.optimizers.SGD(0.1),
                      loss={"masked_lm_logits": loss, "next_sentence_logits": loss})
        return model

    labels = {"masked_lm_logits": IDS, "next_sentence_logits": np.array([0, 1])}
    check_model(build, PAIRS, str(tmp_path), (PAIRS, labels))
    outputs = build()(PAIRS)
    assert outputs["masked_lm_logits"].shape == (2, 6, 20) and outputs["next_sentence_logits"].shape == (2, 2)
    assert all(keras.backend.standardize_dtype(output.dtype) == "float32" for output in outputs.values())


def test_backbone_checks(tmp_path):
    check_backbone(lambda **kw: keras_zoo.create_model("bert_micro", features_only=True, **TINY, **kw),
                   PAIRS, str(tmp_path), {"sequence_output": (2, 6, 8), "pooled_output": (2, 8)})


def test_extra_padding_changes_no_real_tokens_output():
    backbone = keras_zoo.create_model("bert_micro", features_only=True, **TINY)
    short = backbone(PAIRS)
    padded = {key: np.pad(value, ((0, 0), (0, 5))) for key, value in PAIRS.items()}  # id 0, segment 0, not real
    long = backbone(padded)
    real = PAIRS["padding_mask"]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(long["sequence_output"])[:, :6][real],
                               keras.ops.convert_to_numpy(short["sequence_output"])[real], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(long["pooled_output"]),
                               keras.ops.convert_to_numpy(short["pooled_output"]), rtol=1e-5, atol=1e-6)


def test_initialisation_is_berts_truncated_normal():
    model = keras_zoo.create_model("bert_micro", seed=0)
    backbone = model.backbone
    matrices = [backbone.token_embedding.embeddings, backbone.blocks[0].feed_forward.intermediate_dense.kernel,
                backbone.pooler.kernel, model.head.transform.kernel]
    for variable in matrices:
        values = keras.ops.convert_to_numpy(variable)
        assert abs(values.std() - 0.02 * 0.88) < 0.002, variable.path  # truncated at 2 std: 0.88 of it
        # Keras' torch backend truncates by taking the first of 4 normal draws inside 2 std, so about
        # 0.0455**4 = 4e-6 of the values escape (one in bert_micro's token embedding at seed 0); an
        # untruncated normal would put 4.6% of them there.
        assert (np.abs(values) > 0.04 + 1e-6).mean() < 1e-4, variable.path
    biases = [backbone.blocks[0].self_attention.query_dense.bias, backbone.pooler.bias, model.head.output_bias]
    assert all(not keras.ops.convert_to_numpy(b).any() for b in biases)


def test_bad_arguments_say_what_was_received():
    with pytest.raises(ValueError, match="hidden_dim=10, num_heads=4"):
        keras_zoo.create_model("bert_micro", hidden_dim=10, num_heads=4)
    with pytest.raises(ValueError, match="padding_token_id=20"):
        keras_zoo.create_model("bert_micro", vocabulary_size=20, padding_token_id=20)
    with pytest.raises(ValueError, match="num_classes=0"):
        keras_zoo.create_model("bert_micro", num_classes=0)
    with pytest.raises(ValueError, match=r"Give one of .*Received: features_only=True, num_classes=2"):
        keras_zoo.create_model("bert_micro", num_classes=2, features_only=True)
    with pytest.raises(ValueError, match=r"Received: features_only=False, num_classes=2, next_sentence_prediction=True"):
        keras_zoo.create_model("bert_micro", num_classes=2, next_sentence_prediction=True)


def test_the_classifier_fine_tunes_from_a_pretraining_checkpoint(tmp_path):
    import torch  # noqa: F401  (transformers' BERT is a PyTorch module)
    from transformers import BertForMaskedLM

    from bert_references import hugging_face_config, perturb_

    size = {"num_layers": 1, "hidden_dim": 16, "num_heads": 2, "vocabulary_size": 20, "max_sequence_length": 16}
    pretrained = perturb_(BertForMaskedLM(hugging_face_config(**size)), seed=0)
    pretrained.save_pretrained(tmp_path)
    with pytest.warns(UserWarning, match="initialised afresh"):
        model = keras_zoo.create_model("bert_micro", num_classes=2, weights=str(tmp_path / "model.safetensors"),
                                       dropout=0.0, attention_dropout=0.0, **size)
    ids = RNG.integers(1, 20, size=(32, 8)).astype("int32")
    labels = (ids[:, 0] > 10).astype("int32")  # the first token decides
    model.compile(optimizer=keras.optimizers.Adam(1e-2),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    losses = model.fit(ids, labels, batch_size=32, epochs=30, verbose=0).history["loss"]
    assert losses[-1] < 0.5 * losses[0], losses
