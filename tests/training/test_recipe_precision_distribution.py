"""The recipe switches train.precision and train.distribution reach the
model and are validated like every other recipe value."""

import keras
import numpy as np
import pytest

from keras_zoo.recipes import load_recipe
from keras_zoo.recipes.schema import RecipeError
from keras_zoo.training import train_recipe

TINY = ["model.depths=[1, 1, 1, 1]", "model.dims=[8, 16, 32, 64]", "train.batch_size=16",
        "train.steps_per_epoch=2", "train.epochs=1"]


def test_mixed_bfloat16_data_parallel_recipe_trains_in_mixed_precision(tmp_path):
    recipe = load_recipe("digits_convnext", TINY + ["train.precision=mixed_bfloat16",
                                                    "train.distribution=data_parallel"])
    result = train_recipe(recipe, runs_root=str(tmp_path), verbose=0)
    assert np.isfinite(result.history["loss"]).all()
    model = keras.saving.load_model(f"{result.run_directory}/last.keras", compile=False)
    assert model.dtype_policy.name == "mixed_bfloat16"
    assert all(weight.dtype == "float32" for weight in model.weights)


@pytest.mark.parametrize("override, message", [
    ("train.precision=float16", "float16"),
    ("train.distribution=ddp", "ddp"),
])
def test_unknown_values_are_rejected(override, message):
    with pytest.raises(RecipeError, match=message):
        load_recipe("digits_convnext", [override])
