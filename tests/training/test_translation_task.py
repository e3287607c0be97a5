"""The `translation` task through `train_recipe`: a tiny Transformer recipe
trains into a run directory and reports held-out exact match; the paper's
optimizer; the TED pipeline on tfds mock data; BLEU."""

import json
import os

import keras
import numpy as np
import pytest

from keras_zoo.models.transformer.transformer_schedule import TransformerSchedule
from keras_zoo.recipes import load_recipe
from keras_zoo.training import train_recipe
from keras_zoo.training.epoch_csv_logger import read_metrics_csv
from keras_zoo.training.tasks import get_task
from keras_zoo.training.tasks.translation import build_translation_data
from keras_zoo.training.tasks.translation import build_translation_model
from keras_zoo.training.tasks.translation import compile_translation_model

TINY = [
    "model.num_layers=1", "model.hidden_dim=16", "model.intermediate_dim=32", "model.num_heads=2",
    "data.num_train=256", "data.num_validation=32", "data.num_test=32", "train.batch_size=32", "optimizer.warmup_steps=8",
    "evaluate.num_beams=2",
]


def test_tiny_recipe_trains_and_reports_exact_match(tmp_path, monkeypatch):
    from keras_zoo.training.tasks import translation as number_translation_task

    # What the after-fit figures are computed from (exact_match itself is
    # checked on a known case in test_transformer_training_pieces.py).
    calls, exact_match = [], number_translation_task.exact_match

    def recording_exact_match(model, split, max_length, **search):
        share = exact_match(model, split, max_length, **search)
        calls.append({"weights": model.get_weights(), "source": split["source"], "max_length": max_length,
                      "search": search, "share": share})
        return share

    monkeypatch.setattr(number_translation_task, "exact_match", recording_exact_match)
    recipe = load_recipe("transformer_number_translation", TINY + ["train.epochs=2"])
    result = train_recipe(recipe, runs_root=str(tmp_path), verbose=0)
    files = set(os.listdir(result.run_directory))
    assert {"recipe.json", "best.keras", "last.keras", "metrics.csv", "training_curves.png", "logs", "COMPLETED"} <= files
    rows = read_metrics_csv(os.path.join(result.run_directory, "metrics.csv"))
    assert rows[1]["val_loss"] < rows[0]["val_loss"]  # it learns
    assert result.best == min(row["val_loss"] for row in rows)
    assert set(result.results) >= {"exact_match_greedy", "exact_match_beam"}
    assert result.results["sentences"] == 32 and result.results["num_beams"] == 2
    # Greedy, then the recipe's beam search, both of the best checkpoint on the test split.
    assert [call["search"] for call in calls] == [{"num_beams": 1}, {"num_beams": 2, "length_penalty": 0.6}]
    assert [call["share"] for call in calls] == [result.results["exact_match_greedy"], result.results["exact_match_beam"]]
    best = keras.saving.load_model(os.path.join(result.run_directory, "best.keras"), compile=False)
    test_source = build_translation_data(recipe).splits["test"]["source"]
    for call in calls:
        assert call["max_length"] == recipe["evaluate"]["max_length"] == 14
        np.testing.assert_array_equal(call["source"], test_source)
        for ours, saved in zip(call["weights"], best.get_weights(), strict=True):
            np.testing.assert_array_equal(ours, saved)
    with open(os.path.join(result.run_directory, "COMPLETED")) as f:
        assert json.load(f)["results"] == result.results
    headline = get_task("translation").headline(result)
    assert "held-out exact match on 32 sentences greedy" in headline and "beam 2" in headline


def test_optimizer_is_the_papers():
    recipe = load_recipe("transformer_number_translation", TINY)
    data = build_translation_data(recipe)
    model = build_translation_model(recipe, data)
    compile_translation_model(recipe, model)
    optimizer = model.optimizer
    assert (optimizer.beta_1, optimizer.beta_2, optimizer.epsilon) == (0.9, 0.98, 1e-9)
    schedule = optimizer.learning_rate if isinstance(optimizer.learning_rate, TransformerSchedule) else optimizer._learning_rate
    assert isinstance(schedule, TransformerSchedule)
    for step in (1, 8, 100):  # lr = d_model^-0.5 * min(step^-0.5, step * warmup^-1.5), steps from 1
        expected = 16**-0.5 * min(step**-0.5, step * 8**-1.5)
        assert float(keras.ops.convert_to_numpy(schedule(step - 1))) == pytest.approx(expected, rel=1e-5)
    assert model.loss.label_smoothing == 0.1
    assert not optimizer.use_ema


def test_weight_averaging_is_a_recipe_switch():
    recipe = load_recipe("transformer_number_translation", TINY + ["optimizer.ema=true", "optimizer.ema_momentum=0.99"])
    model = build_translation_model(recipe, build_translation_data(recipe))
    compile_translation_model(recipe, model)
    assert model.optimizer.use_ema and model.optimizer.ema_momentum == 0.99


def test_ted_pipeline_on_mock_data():
    import tensorflow_datasets as tfds

    recipe = load_recipe("transformer_ted_pt_en", [
        "data.vocabulary_size=64", "data.max_tokens=20", "data.tokenizer_path=''", "train.batch_size=4"])
    with tfds.testing.mock_data(num_examples=6):
        data = build_translation_data(recipe)
    assert data.tokenizer is not None and data.vocabulary_size == data.tokenizer.vocabulary_size
    inputs, labels = data.train[0]
    assert inputs["source"].shape[1] == 20 and inputs["target"].shape[1] == labels.shape[1] == 21
    test = data.splits["test"]
    assert len(test["references"]) == len(test["source"]) == 6  # evaluation keeps every sentence
    assert data.max_target_length == 22  # max_tokens + start + end


def test_bleu_is_sacrebleus_corpus_bleu():
    from keras_zoo.training.tasks.translation import corpus_bleu

    references = ["the cat sat on the mat", "a dog ran in the park today"]
    assert corpus_bleu(references, references) == pytest.approx(100.0)
    assert corpus_bleu(["completely different words here", "nothing"], references) < 5.0


def test_training_batches_are_whole_and_validation_keeps_every_sentence():
    # Whole training batches split over any mesh that divides the batch size;
    # validation (no gradient) keeps its last, partial batch.
    recipe = load_recipe("transformer_number_translation", TINY + ["data.num_train=250", "data.num_validation=30"])
    data = build_translation_data(recipe)
    assert len(data.train) == data.steps_per_epoch == 7  # 250 // 32: the last 26 each epoch wait a reshuffle
    assert sum(len(data.validation[i][1]) for i in range(len(data.validation))) == 30
