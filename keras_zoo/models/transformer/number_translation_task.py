"""Held-out exact match for the number-translation recipe
(recipes/transformer_number_translation.toml), and that recipe trained from
Python the way `keras-zoo train` trains it:

    from keras_zoo.models.transformer.number_translation_task import train_number_translation
    result = train_number_translation()   # result.results["exact_match_greedy"], ...

The task itself (data, model, loss, optimizer, after-fit metrics) is
keras_zoo.training.translation_task.
"""

import numpy as np

from keras_zoo.data import number_translation as data

RECIPE = "transformer_number_translation"


def exact_match(model, split, max_length=data.TARGET_LENGTH, num_beams=1, length_penalty=0.6,
                batch_size=500):
    """Share of sentences whose generated translation equals the reference
    word for word (end token included)."""
    correct = 0
    for start in range(0, len(split["source"]), batch_size):
        source = split["source"][start : start + batch_size]
        reference = split["target"][start : start + batch_size]
        ids = model.generate(source, max_length, data.START, data.END, num_beams=num_beams,
                             length_penalty=length_penalty)
        correct += int(np.sum(np.all(ids[:, : reference.shape[1]] == reference, axis=1)))
    return correct / len(split["source"])


def train_number_translation(overrides=(), runs_root="saved_models", verbose=2):
    """`keras-zoo train transformer_number_translation [--set ...]` from
    Python: `overrides` are `"section.key=value"` strings. Returns the
    trainer's `RunResult`; `.results` holds the greedy and beam exact match."""
    from keras_zoo.recipes import load_recipe
    from keras_zoo.training import train_recipe

    return train_recipe(load_recipe(RECIPE, overrides), runs_root=runs_root, verbose=verbose)
