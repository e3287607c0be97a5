"""The `text_classification` task: the corrupted-window acceptability data,
a classifier that starts from a masked-LM run's backbone and tokenizer (or
from scratch), and clear errors."""

import os

import keras
import numpy as np
import pytest

import keras_zoo
from keras_zoo.data.corrupted_windows import corrupted_windows
from keras_zoo.data.wordpiece_tokenizer import WordPieceTokenizer
from keras_zoo.recipes import load_recipe
from keras_zoo.recipes.fields import RecipeError
from keras_zoo.training import train_recipe
from keras_zoo.training.tasks.text_classification import build_text_classification_data
from keras_zoo.training.tasks.text_classification import build_text_classifier

SIZE = ["model.num_layers=1", "model.hidden_dim=16", "model.num_heads=2", "data.vocabulary_size=400",
        "data.sequence_length=32", "train.batch_size=16", "train.steps_per_epoch=4", "train.epochs=1",
        "optimizer.learning_rate=1e-2"]


def test_corrupted_windows_replace_real_pieces_of_half_the_rows():
    rng = np.random.default_rng(0)
    windows = rng.integers(5, 60, (200, 40)).astype("int32")
    windows[:, 0], windows[:, -1], windows[:3, 20:] = 2, 3, 0
    counts = np.bincount(windows.ravel(), minlength=60)
    token_ids, labels = corrupted_windows(windows, counts, (0, 1, 2, 3, 4), 0, rate=0.15, seed=1)
    assert labels.sum() == 100 and set(np.unique(labels)) == {0, 1}
    np.testing.assert_array_equal(token_ids[labels == 1], windows[labels == 1])  # kept as written
    changed = token_ids != windows
    special = windows < 5
    assert not changed[special].any() and (token_ids[changed] >= 5).all()  # never a special token, in or out
    assert changed[labels == 0].any(axis=1).all()  # every corrupted row differs somewhere
    share = changed[labels == 0].sum() / (~special[labels == 0]).sum()
    assert 0.11 < share < 0.16  # 15%, less the draws that hit the same piece
    again, _ = corrupted_windows(windows, counts, (0, 1, 2, 3, 4), 0, rate=0.15, seed=1)
    np.testing.assert_array_equal(again, token_ids)
    with pytest.raises(ValueError, match="rate=0"):
        corrupted_windows(windows, counts, (0,), 0, rate=0)


def test_fine_tuning_starts_from_the_pretraining_runs_backbone_and_tokenizer(tmp_path):
    mlm = train_recipe(load_recipe("bert_pydoc_mlm", SIZE), runs_root=str(tmp_path / "mlm"), verbose=0)
    recipe = load_recipe("bert_pydoc_acceptability", SIZE + [f"pretrained.run={mlm.run_directory}"])
    data = build_text_classification_data(recipe)
    run_tokenizer = WordPieceTokenizer.load(os.path.join(mlm.run_directory, "tokenizer.json"))
    assert data.tokenizer.tokenizer.get_vocab() == run_tokenizer.tokenizer.get_vocab()  # the ids it pretrained on
    with pytest.warns(UserWarning, match="head is initialised afresh"):
        classifier = build_text_classifier(recipe, data)
    pretrained = keras.saving.load_model(os.path.join(mlm.run_directory, "best.keras"), compile=False)
    for ours, theirs in zip(classifier.backbone.weights, pretrained.backbone.weights, strict=True):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(ours), keras.ops.convert_to_numpy(theirs))

    result = train_recipe(recipe, runs_root=str(tmp_path / "fine_tune"), verbose=0)
    figures = result.results
    assert figures["pretrained"].endswith("best.keras") and figures["test_examples"] == len(data.labels["test"])
    assert 0.49 < figures["majority_accuracy"] <= 0.51 and 0.0 <= figures["test_accuracy"] <= 1.0


def test_from_scratch_trains_a_tokenizer_and_a_fresh_backbone(tmp_path):
    result = train_recipe(load_recipe("bert_pydoc_acceptability", SIZE), runs_root=str(tmp_path), verbose=0)
    assert {"best.keras", "tokenizer.json", "COMPLETED"} <= set(os.listdir(result.run_directory))
    assert result.results["pretrained"] == ""


def test_a_run_that_is_not_a_pretraining_run_is_named(tmp_path):
    recipe = load_recipe("bert_pydoc_acceptability", SIZE + [f"pretrained.run={tmp_path}"])
    with pytest.raises(RecipeError, match="best.keras, .*tokenizer.json missing"):
        build_text_classification_data(recipe)


def test_a_masked_lm_file_of_another_size_is_refused(tmp_path):
    masked_lm = keras_zoo.create_model("bert_micro", num_layers=1, hidden_dim=16, num_heads=2, vocabulary_size=50)
    path = str(tmp_path / "masked_lm.keras")
    masked_lm.save(path)
    with pytest.raises(ValueError, match="does not match this model's"):
        keras_zoo.create_model("bert_micro", num_layers=2, hidden_dim=16, num_heads=2, vocabulary_size=50,
                               num_classes=2, weights=path)
    backbone = keras_zoo.create_model("bert_micro", num_layers=1, hidden_dim=16, num_heads=2, vocabulary_size=50,
                                      features_only=True, weights=path)  # the backbone alone: no warning
    for ours, theirs in zip(backbone.weights, masked_lm.backbone.weights, strict=True):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(ours), keras.ops.convert_to_numpy(theirs))


def test_a_checkpoint_start_needs_the_checkpoint_and_its_tokenizer(tmp_path):
    recipe = load_recipe("glue_sst2_bert_base", [f"pretrained.weights={str(tmp_path / 'model.safetensors')!r}"])
    with pytest.raises(RecipeError, match=r"not found: pretrained.weights = '.*model.safetensors', "
                                          r"data.tokenizer_path = ''"):
        build_text_classification_data(recipe)
    both = load_recipe("glue_sst2_bert_base", ["pretrained.weights='a'", "pretrained.run='b'"])
    with pytest.raises(RecipeError, match="pretrained.run or pretrained.weights, not both"):
        build_text_classification_data(both)


def test_sst2_fine_tunes_from_a_checkpoint_and_its_vocabulary(tmp_path):
    """The real-data recipe end to end on tfds' mock SST-2: the backbone
    starts from the checkpoint, the ids come from its tokenizer."""
    from unittest import mock

    import tensorflow_datasets as tfds

    tokenizer = WordPieceTokenizer.train(["the cat sat on the mat", "a dog ran in the park"] * 20, 120)
    tokenizer_path = str(tmp_path / "tokenizer.json")
    tokenizer.save(tokenizer_path)
    tiny = ["model.name='bert_micro'", "model.num_layers=1", "model.hidden_dim=16", "model.num_heads=2"]
    checkpoint = keras_zoo.create_model("bert_micro", num_layers=1, hidden_dim=16, num_heads=2,
                                        vocabulary_size=tokenizer.vocabulary_size, seed=3)
    checkpoint_path = str(tmp_path / "pretrained.keras")
    checkpoint.save(checkpoint_path)
    recipe = load_recipe("glue_sst2_bert_base", tiny + [
        f"pretrained.weights={checkpoint_path!r}", f"data.tokenizer_path={tokenizer_path!r}",
        "data.sequence_length=16", "train.batch_size=8", "train.epochs=1", "train.steps_per_epoch=2"])
    with tfds.testing.mock_data(num_examples=24), \
            mock.patch.object(tfds.core.DatasetBuilder, "is_prepared", return_value=True):
        data = build_text_classification_data(recipe)
        assert data.tokenizer.tokenizer.get_vocab() == tokenizer.tokenizer.get_vocab()
        with pytest.warns(UserWarning, match="head is initialised afresh"):
            classifier = build_text_classifier(recipe, data)
        for ours, theirs in zip(classifier.backbone.weights, checkpoint.backbone.weights, strict=True):
            np.testing.assert_array_equal(keras.ops.convert_to_numpy(ours), keras.ops.convert_to_numpy(theirs))
        result = train_recipe(recipe, runs_root=str(tmp_path / "runs"), verbose=0)
    assert result.results["pretrained"] == checkpoint_path and result.results["test_examples"] == 24
