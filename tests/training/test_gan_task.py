"""The `gan` task through `train_recipe`: every GAN recipe builds its model;
a tiny digits recipe, killed after its first epoch, resumes and finishes
with sample grids, checkpoints and the after-training quality figures."""

import json
import os

import keras
import numpy as np
import pytest

from keras_zoo.recipes import list_recipes
from keras_zoo.recipes import load_recipe
from keras_zoo.training import train_recipe
from keras_zoo.training.epoch_csv_logger import read_metrics_csv
from keras_zoo.training.tasks.gan import build_gan_model
from keras_zoo.training.tasks import get_task

GAN_RECIPES = [name for name in list_recipes() if name.startswith("gan_")]
TINY = ["model.latent_dim=4", "model.base_filters=4", "model.n_critic=1", "train.batch_size=64", "train.steps_per_epoch=2",
        "evaluate.num_samples=64", "evaluate.classifier_epochs=1", "callbacks.sample_grid_every_epochs=1"]


class _Interrupt(keras.callbacks.Callback):
    """Simulates a kill right after epoch `after` has been fully saved."""

    def __init__(self, after):
        super().__init__()
        self.after = after

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.after:
            raise KeyboardInterrupt


class _GeneratorSteps(keras.callbacks.Callback):
    def on_train_end(self, logs=None):
        self.steps = int(keras.ops.convert_to_numpy(self.model.g_optimizer.iterations))


def test_all_gan_recipes_ship():
    assert GAN_RECIPES == ["gan_celeba_wgan_gp", "gan_digits_dcgan", "gan_digits_wgan", "gan_digits_wgan_gp",
                           "gan_mnist_wgan_gp"]


@pytest.mark.parametrize("name", GAN_RECIPES)
def test_recipe_builds_its_model(name):
    recipe = load_recipe(name, ["model.base_filters=4"])
    model = build_gan_model(recipe)
    side, channels = recipe["data"]["image_size"], recipe["data"]["channels"]
    assert model.generator.output_shape == (None, side, side, channels)
    assert model.n_critic == recipe["model"].get("n_critic", 1)
    assert model.d_optimizer is not model.g_optimizer
    section = recipe["optimizer"]
    for optimizer in (model.d_optimizer, model.g_optimizer):
        assert type(optimizer).__name__.lower() == section["name"]
        assert float(keras.ops.convert_to_numpy(optimizer.learning_rate)) == pytest.approx(section["learning_rate"])
        if section["name"] == "adam":
            assert (optimizer.beta_1, optimizer.beta_2) == (section["beta_1"], section["beta_2"])


def test_killed_run_resumes_and_measures_its_samples(tmp_path):
    recipe = load_recipe("gan_digits_wgan_gp", TINY + ["train.epochs=2"])
    with pytest.raises(KeyboardInterrupt):
        train_recipe(recipe, runs_root=str(tmp_path), verbose=0, extra_callbacks=[_Interrupt(after=0)])
    (run_directory,) = [os.path.join(tmp_path, d) for d in os.listdir(tmp_path)]
    assert {"last.keras", "generator.keras"} <= set(os.listdir(run_directory))
    assert not os.path.exists(os.path.join(run_directory, "COMPLETED"))

    steps = _GeneratorSteps()
    result = train_recipe(load_recipe("gan_digits_wgan_gp", TINY + ["train.epochs=2"]), runs_root=str(tmp_path),
                          verbose=0, extra_callbacks=[steps])
    assert result.resumed and result.run_directory == run_directory
    assert len(result.history["d_loss"]) == 1  # only epoch 2 was trained again
    rows = read_metrics_csv(os.path.join(run_directory, "metrics.csv"))
    assert [row["epoch"] for row in rows] == [0, 1]
    assert np.isfinite(rows[-1]["d_loss"]) and "val_d_loss" not in rows[-1]

    files = set(os.listdir(run_directory))
    assert {"recipe.json", "last.keras", "generator.keras", "metrics.csv", "training_curves.png", "logs", "COMPLETED"} <= files
    assert "best.keras" not in files and "backup" not in files
    assert sorted(os.listdir(os.path.join(run_directory, "samples"))) == ["samples_epoch_0001.png", "samples_epoch_0002.png"]
    # The optimizers' state came back too: 2 epochs of 2 steps.
    assert steps.steps == 4
    gan = keras.saving.load_model(os.path.join(run_directory, "last.keras"), compile=False)
    assert gan.generator.output_shape == (None, 8, 8, 1)

    # The figures judge the run's final generator, recomputed here from generator.keras
    # with the task's judge (the digits classifier of the recipe's seed) and latents.
    from keras_zoo.evaluation.digit_sample_quality import digit_sample_quality
    from keras_zoo.evaluation.digits_classifier import train_digits_classifier
    from keras_zoo.training.tasks.gan import generate

    quality, seed = result.results, recipe["train"]["seed"]
    generator = keras.saving.load_model(os.path.join(run_directory, "generator.keras"))
    classifier, accuracy = train_digits_classifier(1, seed=seed)
    expected = digit_sample_quality(generate(generator, 64, seed=seed), classifier)
    assert quality["num_samples"] == 64 and quality["classifier_test_accuracy"] == accuracy
    assert quality["class_histogram"] == expected["class_histogram"]
    assert quality["class_coverage"] == expected["class_coverage"]
    assert sum(quality["class_histogram"]) == round(quality["confident_fraction"] * 64)
    # Exactly: the same weights, latents and judge on the same backend. (TINY's samples are
    # near-constant grey, so even other latents move the distance by < 1e-5 relative.)
    assert quality["confident_fraction"] == expected["confident_fraction"]
    assert quality["frechet_distance"] == expected["frechet_distance"]
    reference = quality["reference_frechet_distances"]
    assert reference["real_train"] < reference["uniform_noise"]
    with open(os.path.join(run_directory, "COMPLETED")) as f:
        assert json.load(f)["results"]["frechet_distance"] == pytest.approx(quality["frechet_distance"])
    assert "samples classified confidently" in get_task("gan").headline(result)
