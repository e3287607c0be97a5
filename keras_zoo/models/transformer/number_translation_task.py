"""Moved to `keras_zoo.training.tasks.translation` (task code lives with the
trainer, above the models); this old import path keeps working."""

from keras_zoo.training.tasks.translation import exact_match  # noqa: F401

RECIPE = "transformer_number_translation"


def train_number_translation(overrides=(), runs_root="saved_models", verbose=2):
    """`keras-zoo train transformer_number_translation [--set ...]` from Python; returns the
    trainer's `RunResult`."""
    from keras_zoo.recipes import load_recipe
    from keras_zoo.training import train_recipe

    return train_recipe(load_recipe(RECIPE, overrides), runs_root=runs_root, verbose=verbose)
