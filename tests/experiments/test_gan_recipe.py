"""GAN recipes load, build and train end to end (one tiny epoch)."""

import glob
import os

import keras
import numpy as np
import pytest

from keras_zoo.experiments.gan_recipe import RECIPES_DIR
from keras_zoo.experiments.gan_recipe import build_gan_model
from keras_zoo.experiments.gan_recipe import load_gan_recipe
from keras_zoo.experiments.gan_recipe import train_gan_recipe

GAN_RECIPES = sorted(glob.glob(os.path.join(RECIPES_DIR, "gan_*.toml")))


def test_all_gan_recipes_are_present():
    names = [os.path.basename(path) for path in GAN_RECIPES]
    assert names == [
        "gan_celeba_wgan_gp.toml", "gan_digits_dcgan.toml", "gan_digits_wgan.toml",
        "gan_digits_wgan_gp.toml", "gan_mnist_wgan_gp.toml",
    ]


@pytest.mark.parametrize("path", GAN_RECIPES, ids=os.path.basename)
def test_recipe_builds_its_model(path):
    recipe = load_gan_recipe(path)
    recipe["model"]["base_filters"] = 4  # the recipe's own keys, tiny networks
    model = build_gan_model(recipe)
    side, channels = recipe["data"]["image_size"], recipe["data"]["channels"]
    assert model.generator.output_shape == (None, side, side, channels)
    assert model.n_critic == recipe["model"].get("n_critic", 1)
    assert model.d_optimizer is not model.g_optimizer
    assert float(keras.ops.convert_to_numpy(model.d_optimizer.learning_rate)) == pytest.approx(
        recipe["optimizer"]["learning_rate"]
    )


def test_digits_recipe_trains_and_saves(tmp_path):
    recipe = load_gan_recipe(epochs=1)
    recipe["model"].update(latent_dim=4, base_filters=4, n_critic=1)
    recipe["train"]["batch_size"] = 256
    model, history, _ = train_gan_recipe(recipe, str(tmp_path))
    assert np.isfinite(history.history["d_loss"][0])
    assert os.path.isfile(tmp_path / "generator.keras")
    assert os.path.isfile(tmp_path / "samples" / "samples_epoch_0001.png")


def test_non_gan_recipe_is_rejected(tmp_path):
    path = tmp_path / "other.toml"
    path.write_text('task = "image_classification"\n')
    with pytest.raises(ValueError, match="task='image_classification'"):
        load_gan_recipe(str(path))
