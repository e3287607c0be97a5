"""`keras-zoo evaluate RUN` prints each task's own figures, those the run
recorded when it finished (COMPLETED's `results`), recomputed from the
checkpoint: exact match for a translation run (greedy also decoded here
independently), sample quality for a GAN run."""

import json
import os

import keras
import numpy as np
import pytest

from keras_zoo.cli import main
from keras_zoo.data import number_translation

TRANSLATION = ["model.num_layers=1", "model.hidden_dim=32", "model.intermediate_dim=64", "model.num_heads=2",
               "data.num_train=512", "data.num_validation=16", "data.num_test=16", "train.batch_size=32",
               "optimizer.warmup_steps=16", "evaluate.num_beams=2", "train.epochs=4"]
GAN = ["model.latent_dim=4", "model.base_filters=4", "model.n_critic=1", "train.batch_size=64",
       "train.steps_per_epoch=2", "evaluate.num_samples=64", "evaluate.classifier_epochs=1", "train.epochs=1"]


def _train(recipe, overrides, runs):
    args = ["train", recipe, "--runs-dir", runs, "--quiet"]
    for override in overrides:
        args += ["--set", override]
    assert main(args) == 0
    (run,) = os.listdir(runs)
    run = os.path.join(runs, run)
    with open(os.path.join(run, "COMPLETED")) as f:
        return run, json.load(f)


def _printed_figures(capsys):
    """The `key=value` fields of the line `keras-zoo evaluate` prints last."""
    line = capsys.readouterr().out.strip().splitlines()[-1]
    return dict(pair.split("=", 1) for pair in line.split(" "))


def _memorable_splits(monkeypatch):
    """The number-translation data with the test sentences also trained on
    (32 times) and validated on: four short epochs then translate some of
    them right, so exact match tells models apart (a tiny run on the real,
    disjoint splits scores 0 greedy and beam, as any untrained model does)."""
    load = number_translation.load_number_translation

    def memorable(num_train, num_validation, num_test, seed=0):
        splits = load(num_train, num_validation, num_test, seed=seed)
        test = splits["test"]
        splits["train"] = {key: np.repeat(value, num_train // num_test, axis=0) for key, value in test.items()}
        splits["validation"] = dict(test)
        return splits

    monkeypatch.setattr(number_translation, "load_number_translation", memorable)
    return memorable


def _greedy_exact_match(model, split, max_length):
    """Greedy decoding by the whole forward pass (no cache, no `generate`):
    each step re-reads the prefix, takes the most likely token but padding,
    and a finished sentence pads; the share of sentences equal to the
    reference, end token and padding included."""
    source, reference = split["source"], split["target"]
    ids = np.zeros((len(source), max_length), "int32")
    ids[:, 0] = number_translation.START
    finished = np.zeros(len(source), bool)
    for index in range(max_length - 1):
        logits = keras.ops.convert_to_numpy(model({"source": source, "target": ids}))[:, index]  # (B, V)
        tokens = np.where(finished, 0, 1 + np.argmax(logits[:, 1:], axis=-1))
        ids[:, index + 1] = tokens
        finished |= tokens == number_translation.END
    return float(np.mean(np.all(ids[:, : reference.shape[1]] == reference, axis=1)))


def test_evaluate_a_translation_run_prints_its_exact_match(tmp_path, capsys, monkeypatch):
    splits = _memorable_splits(monkeypatch)
    run, completed = _train("transformer_number_translation", TRANSLATION, str(tmp_path))
    capsys.readouterr()
    assert main(["evaluate", run, "--quiet"]) == 0
    figures = _printed_figures(capsys)
    results = completed["results"]
    for name in ("exact_match_greedy", "exact_match_beam"):
        assert float(figures[name]) == pytest.approx(results[name], abs=5e-5)  # printed to 4 places
    assert int(figures["sentences"]) == 16 and int(figures["num_beams"]) == 2
    assert float(figures["loss"]) == pytest.approx(completed["best_val_loss"], abs=5e-5)

    # The figures are the best checkpoint's own, recomputed here without
    # keras_zoo's decoding, and they tell models apart. (Greedy and beam
    # differ with one torch thread, 0.31 / 0.25, not always with two.)
    import keras_zoo.models  # noqa: F401  (registers the model classes)

    with open(os.path.join(run, "recipe.json")) as f:
        recipe = json.load(f)
    data = recipe["data"]
    test = splits(data["num_train"], data["num_validation"], data["num_test"], seed=recipe["train"]["seed"])["test"]
    best = keras.saving.load_model(os.path.join(run, "best.keras"), compile=False)
    greedy = _greedy_exact_match(best, test, recipe["evaluate"]["max_length"])
    assert float(figures["exact_match_greedy"]) == pytest.approx(greedy, abs=5e-5)
    assert 0.0 < greedy < 1.0, results


def test_evaluate_a_gan_run_prints_its_sample_quality(tmp_path, capsys):
    run, completed = _train("gan_digits_wgan_gp", GAN, str(tmp_path))
    capsys.readouterr()
    assert main(["evaluate", run, "--quiet"]) == 0
    figures = _printed_figures(capsys)
    results = completed["results"]
    assert float(figures["frechet_distance"]) == pytest.approx(results["frechet_distance"], abs=5e-5)
    assert float(figures["confident_fraction"]) == pytest.approx(results["confident_fraction"], abs=5e-5)
    assert int(figures["class_coverage"]) == results["class_coverage"]
    assert int(figures["num_samples"]) == 64
    assert json.loads(figures["class_histogram"]) == results["class_histogram"]
    assert json.loads(figures["reference_frechet_distances"]) == pytest.approx(results["reference_frechet_distances"])
