"""BERT parity with Hugging Face by weight transfer, every parameter
perturbed, on a right-padded batch of sentence pairs: masked-LM logits,
sequence and pooled outputs within 1e-5 relative; the layouts of
`BertModel`, `BertForMaskedLM`, `BertForPreTraining` and
`BertForSequenceClassification`; clear errors."""

import keras
import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from transformers import BertConfig, BertForMaskedLM, BertForPreTraining, BertForSequenceClassification, BertModel

import keras_zoo
from bert_references import SMALL, assert_close, hugging_face_config, padded_pairs, perturb_, torch_outputs

INPUTS = padded_pairs([24, 13, 5], 24, seed=1)  # every position once, two segments, padding
REAL = INPUTS["padding_mask"]


def _save_pretrained(model, directory, filename="model.safetensors"):
    """What `save_pretrained` writes: model.safetensors (the tied decoder
    left out), or the older pytorch_model.bin."""
    model.save_pretrained(directory)
    written = str(directory / "model.safetensors")
    if filename == "pytorch_model.bin":
        torch.save(load_file(written), str(directory / filename))
        return str(directory / filename)
    return written


def _reference(cls, seed, **kwargs):
    return perturb_(cls(hugging_face_config(**SMALL, **kwargs)), seed)


def _ours(path, **overrides):
    return keras_zoo.create_model("bert_micro", weights=path, **{**SMALL, **overrides})


def _numpy(outputs):
    return keras.ops.convert_to_numpy(outputs)


@pytest.mark.parametrize("filename", ["model.safetensors", "pytorch_model.bin"])
def test_masked_lm_logits_match_bert_for_masked_lm(tmp_path, filename):
    reference = _reference(BertForMaskedLM, seed=1)
    model = _ours(_save_pretrained(reference, tmp_path, filename))
    ours, theirs = _numpy(model(INPUTS)), torch_outputs(reference, INPUTS).logits.numpy()
    assert_close(ours[REAL], theirs[REAL])
    np.testing.assert_array_equal(ours[REAL].argmax(-1), theirs[REAL].argmax(-1))


def test_pretraining_checkpoint_gives_the_sequence_pooled_and_masked_lm_outputs(tmp_path):
    reference = _reference(BertForPreTraining, seed=2)
    path = _save_pretrained(reference, tmp_path)
    theirs = torch_outputs(reference, INPUTS)
    assert_close(_numpy(_ours(path)(INPUTS))[REAL], theirs.prediction_logits.numpy()[REAL])
    with torch.no_grad():
        encoder = reference.bert(input_ids=torch.from_numpy(INPUTS["token_ids"].astype("int64")),
                                 token_type_ids=torch.from_numpy(INPUTS["segment_ids"].astype("int64")),
                                 attention_mask=torch.from_numpy(REAL.astype("int64")))
    features = _ours(path, features_only=True)(INPUTS)
    assert_close(_numpy(features["sequence_output"])[REAL], encoder.last_hidden_state.numpy()[REAL])
    assert_close(_numpy(features["pooled_output"]), encoder.pooler_output.numpy())


def test_next_sentence_model_gives_both_pretraining_heads(tmp_path):
    reference = _reference(BertForPreTraining, seed=3)
    theirs = torch_outputs(reference, INPUTS)
    ours = _ours(_save_pretrained(reference, tmp_path), next_sentence_prediction=True)(INPUTS)
    assert_close(_numpy(ours["masked_lm_logits"])[REAL], theirs.prediction_logits.numpy()[REAL])
    next_sentence = _numpy(ours["next_sentence_logits"])
    assert next_sentence.shape == (3, 2)
    assert_close(next_sentence, theirs.seq_relationship_logits.numpy())
    np.testing.assert_array_equal(next_sentence.argmax(-1), theirs.seq_relationship_logits.numpy().argmax(-1))


def test_a_masked_lm_checkpoint_leaves_the_next_sentence_head_and_pooler_fresh(tmp_path):
    path = _save_pretrained(_reference(BertForMaskedLM, seed=4), tmp_path)
    with pytest.warns(UserWarning, match="no weights for the pooler and the next-sentence head"):
        _ours(path, next_sentence_prediction=True)


def test_bert_model_loads_into_the_backbone(tmp_path):
    reference = _reference(BertModel, seed=3)
    features = _ours(_save_pretrained(reference, tmp_path), features_only=True)(INPUTS)
    theirs = torch_outputs(reference, INPUTS)
    assert_close(_numpy(features["sequence_output"])[REAL], theirs.last_hidden_state.numpy()[REAL])
    assert_close(_numpy(features["pooled_output"]), theirs.pooler_output.numpy())


def test_sequence_classifier_matches_and_starts_fresh_from_a_pretraining_checkpoint(tmp_path):
    reference = _reference(BertForSequenceClassification, seed=4, num_labels=3)
    model = _ours(_save_pretrained(reference, tmp_path / "classifier"), num_classes=3)
    assert_close(_numpy(model(INPUTS)), torch_outputs(reference, INPUTS).logits.numpy())
    pretrained = _reference(BertForMaskedLM, seed=5)
    with pytest.warns(UserWarning, match="no weights for the pooler and the classifier"):
        model = _ours(_save_pretrained(pretrained, tmp_path / "mlm"), num_classes=3)
    embeddings = pretrained.bert.embeddings.word_embeddings.weight.detach().numpy()
    np.testing.assert_array_equal(_numpy(model.backbone.token_embedding.embeddings), embeddings)


def test_token_ids_alone_infer_the_padding_and_segment_zero(tmp_path):
    reference = _reference(BertForMaskedLM, seed=6)
    model = _ours(_save_pretrained(reference, tmp_path))
    inputs = {**INPUTS, "segment_ids": np.zeros_like(INPUTS["segment_ids"])}
    expected = torch_outputs(reference, inputs).logits.numpy()
    assert_close(_numpy(model(INPUTS["token_ids"]))[REAL], expected[REAL])  # [PAD] = 0 is the padding


def test_mismatches_name_the_tensor_and_both_shapes(tmp_path):
    path = _save_pretrained(_reference(BertForMaskedLM, seed=0), tmp_path)
    with pytest.raises(ValueError, match=r"'embeddings\.position_embeddings\.weight' of shape \(24, 32\).*\(32, 32\)"):
        _ours(path, max_sequence_length=32)
    with pytest.raises(ValueError, match=r"no tensor 'encoder\.layer\.2\.attention\.self\.query\.weight'"):
        _ours(path, num_layers=3)
    with pytest.raises(ValueError, match="Not a BERT checkpoint"):
        from safetensors.torch import save_file

        save_file({"foo.weight": torch.zeros(2)}, str(tmp_path / "other.safetensors"))
        _ours(str(tmp_path / "other.safetensors"))


def test_an_untied_decoder_is_refused(tmp_path):
    state = {key: value.clone() for key, value in _reference(BertForMaskedLM, seed=0).state_dict().items()}
    state["cls.predictions.decoder.weight"] = state["cls.predictions.decoder.weight"] + 1.0
    torch.save(state, str(tmp_path / "untied.bin"))
    with pytest.raises(ValueError, match="differs from 'embeddings.word_embeddings.weight'"):
        _ours(str(tmp_path / "untied.bin"))


@pytest.mark.slow
def test_full_size_bert_base_gives_the_same_logits_and_pooled_output(tmp_path):
    reference = perturb_(BertForPreTraining(BertConfig()), seed=7)  # BertConfig's defaults are bert-base-uncased's
    path = _save_pretrained(reference, tmp_path)
    model = keras_zoo.create_model("bert_base", weights=path)
    assert model.backbone.count_params() == 109_482_240
    inputs = padded_pairs([16, 9], 16, seed=7)
    real = inputs["padding_mask"]
    assert_close(_numpy(model(inputs))[real], torch_outputs(reference, inputs).prediction_logits.numpy()[real])
    pooled = _numpy(keras_zoo.create_model("bert_base", weights=path, features_only=True)(inputs)["pooled_output"])
    with torch.no_grad():
        encoder = reference.bert(input_ids=torch.from_numpy(inputs["token_ids"].astype("int64")),
                                 token_type_ids=torch.from_numpy(inputs["segment_ids"].astype("int64")),
                                 attention_mask=torch.from_numpy(inputs["padding_mask"].astype("int64")))
    assert_close(pooled, encoder.pooler_output.numpy())
