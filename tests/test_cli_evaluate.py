"""`keras-zoo evaluate RUN` prints each task's own figures, those the run
recorded when it finished (COMPLETED's `results`), recomputed from the
checkpoint: exact match for a translation run, sample quality for a GAN run."""

import json
import os

import pytest

from keras_zoo.cli import main

TRANSLATION = ["model.num_layers=1", "model.hidden_dim=16", "model.intermediate_dim=32", "model.num_heads=2",
               "data.num_train=256", "data.num_validation=32", "data.num_test=32", "train.batch_size=32",
               "optimizer.warmup_steps=8", "evaluate.num_beams=2", "train.epochs=1"]
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


def test_evaluate_a_translation_run_prints_its_exact_match(tmp_path, capsys):
    run, completed = _train("transformer_number_translation", TRANSLATION, str(tmp_path))
    capsys.readouterr()
    assert main(["evaluate", run, "--quiet"]) == 0
    figures = _printed_figures(capsys)
    for name in ("exact_match_greedy", "exact_match_beam"):
        assert float(figures[name]) == pytest.approx(completed["results"][name], abs=5e-5)  # printed to 4 places
    assert int(figures["sentences"]) == 32 and int(figures["num_beams"]) == 2
    assert float(figures["loss"]) == pytest.approx(completed["best_val_loss"], abs=5e-5)


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
