"""The default Transformer recipe: English number words -> German
(keras_zoo/data/number_translation.py), trained with the paper's optimizer,
schedule and label-smoothed loss at a scale a 2-core CPU runs in minutes.

    from keras_zoo.models.transformer.number_translation_task import train_number_translation
    result = train_number_translation()   # {"exact_match": ..., "seconds": ...}

The builders below match `keras_zoo.training.tasks.Task` (data, model, loss,
metrics), so `keras-zoo train` can run the same recipe.
"""

import time

import keras
import numpy as np

from keras_zoo.data import number_translation as data
from keras_zoo.data.array_batches import ArrayBatches
from keras_zoo.models.transformer.transformer_loss import (
    MaskedLabelSmoothedCrossEntropy,
    MaskedTokenAccuracy,
)
from keras_zoo.models.transformer.transformer_schedule import transformer_optimizer

# The recipe as data; the TOML twin is recipes/transformer_number_translation.toml.
NUMBER_TRANSLATION_RECIPE = {
    "task": "translation",
    "model": {"name": "transformer_tiny"},  # N=2, d_model 64, d_ff 128, h 4, dropout 0.1
    "data": {"dataset": "number_translation", "num_train": 40000, "num_test": 1000},
    "train": {
        "epochs": 8,
        "batch_size": 64,
        "label_smoothing": 0.1,  # paper, section 5.4
        "seed": 0,
    },
    "optimizer": {
        "name": "adam",
        "beta_1": 0.9,  # paper, section 5.3
        "beta_2": 0.98,  # paper, section 5.3
        "epsilon": 1e-9,  # paper, section 5.3
        "schedule": "transformer",  # paper, eq. 3
        "warmup_steps": 400,  # paper: 4000 of 100k steps; here 8% of 5k
        "scale": 1.0,  # the paper's rate as is: peak 64^-0.5 * 400^-0.5 = 6.3e-3
    },
    "evaluate": {"max_length": data.TARGET_LENGTH, "num_beams": 4,  # paper, section 6.1
                 "length_penalty": 0.6},  # paper, section 6.1
}


class NumberTranslationData:
    """What `Task.build_data` returns: `.train` / `.validation` batches for
    `fit` (shuffled each epoch / in order), the raw `.train_split` and
    `.test` splits, `.steps_per_epoch` and `.vocabulary_size`."""

    def __init__(self, recipe):
        config, train = recipe["data"], recipe["train"]
        self.train_split, self.test = data.load_number_translation(
            config["num_train"], config["num_test"], seed=train["seed"])
        self.train = ArrayBatches(*data.teacher_forcing_pairs(self.train_split),
                                  train["batch_size"], shuffle=True, seed=train["seed"])
        self.validation = ArrayBatches(*data.teacher_forcing_pairs(self.test), 500, shuffle=False)
        self.steps_per_epoch = len(self.train)
        self.vocabulary_size = len(data.vocabulary())


def build_data(recipe):
    return NumberTranslationData(recipe)


def build_model(recipe, dataset):
    from keras_zoo import create_model

    overrides = {k: v for k, v in recipe["model"].items() if k != "name"}
    return create_model(recipe["model"]["name"], **{
        "vocabulary_size": dataset.vocabulary_size, "seed": recipe["train"]["seed"], **overrides})


def build_loss(recipe):
    return MaskedLabelSmoothedCrossEntropy(recipe["train"]["label_smoothing"])


def build_metrics(recipe):
    return [MaskedTokenAccuracy(name="accuracy")]


def build_optimizer(recipe, model):
    config = recipe["optimizer"]
    return transformer_optimizer(model.hidden_dim, config["warmup_steps"], config["scale"])


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


def train_number_translation(recipe=None, verbose=2, **train_overrides):
    """Trains the recipe (default: `NUMBER_TRANSLATION_RECIPE`) and returns
    {"exact_match" (beam search), "exact_match_greedy", "token_accuracy",
    "train_seconds", "evaluate_seconds", "model"}; `train_overrides`
    replace `recipe["train"]` keys."""
    recipe = dict(recipe or NUMBER_TRANSLATION_RECIPE)
    recipe["train"] = {**recipe["train"], **train_overrides}
    keras.utils.set_random_seed(recipe["train"]["seed"])
    dataset = build_data(recipe)
    model = build_model(recipe, dataset)
    model.compile(optimizer=build_optimizer(recipe, model), loss=build_loss(recipe),
                  metrics=build_metrics(recipe))
    started = time.time()
    inputs, labels = data.teacher_forcing_pairs(dataset.train_split)
    model.fit(inputs, labels, batch_size=recipe["train"]["batch_size"],
              epochs=recipe["train"]["epochs"], shuffle=True, verbose=verbose)
    trained = time.time()
    token_accuracy = model.evaluate(dataset.validation, verbose=0, return_dict=True)["accuracy"]
    evaluation = recipe["evaluate"]
    greedy = exact_match(model, dataset.test, evaluation["max_length"], num_beams=1)
    match = exact_match(model, dataset.test, evaluation["max_length"], evaluation["num_beams"],
                        evaluation["length_penalty"])
    return {"exact_match": match, "exact_match_greedy": greedy,
            "token_accuracy": float(token_accuracy), "train_seconds": trained - started,
            "evaluate_seconds": time.time() - trained, "model": model}
