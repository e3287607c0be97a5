"""The GAN digits study trains through the one recipe loader and trainer;
it refuses recipes it cannot judge before any work starts."""

import pytest

from keras_zoo.experiments.gan_digits_quality import run_gan_digits_quality
from keras_zoo.recipes import RecipeError


@pytest.mark.parametrize(
    "recipe, message",
    [("digits_convnext", r"task='image_classification'"), ("gan_mnist_wgan_gp", r"dataset='mnist'")],
)
def test_only_gan_digits_recipes_are_judged(tmp_path, recipe, message):
    with pytest.raises(ValueError, match=message):
        run_gan_digits_quality(recipe, output_dir=str(tmp_path))
    assert not list(tmp_path.iterdir())  # rejected before a run directory was made


def test_epochs_override_is_validated(tmp_path):
    with pytest.raises(RecipeError, match=r"train.epochs = -1.*impossible"):
        run_gan_digits_quality(epochs=-1, output_dir=str(tmp_path))
