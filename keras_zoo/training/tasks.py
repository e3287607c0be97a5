"""What a recipe's `task` means: how to build its data, model, loss and
metrics. This table is the extension point for other families: a Transformer
or GAN recipe registers a `Task` here and the trainer, run directories,
resume, NaN guard, CSV and plots come for free."""

import dataclasses
from typing import Callable

import keras


@dataclasses.dataclass(frozen=True)
class Task:
    build_data: Callable  # (recipe) -> object with .train, .validation, .steps_per_epoch
    build_model: Callable  # (recipe, data) -> keras.Model
    build_loss: Callable  # (recipe) -> keras loss
    build_metrics: Callable  # (recipe) -> list of metrics
    monitor: str  # the validation metric that picks the best checkpoint
    monitor_mode: str  # "max" or "min"
    lr_multipliers: Callable = None  # (model, layer_decay) -> {variable.path: multiplier}


def _classification_data(recipe):
    from keras_zoo.data.image_pipeline import image_classification_data

    return image_classification_data(
        recipe["data"], recipe["augment"], recipe["train"]["batch_size"], seed=recipe["train"]["seed"]
    )


def _classification_model(recipe, data):
    from keras_zoo import create_model

    overrides = {key: value for key, value in recipe["model"].items() if key != "name"}
    for key in ("depths", "dims"):
        if key in overrides:
            overrides[key] = tuple(overrides[key])
    return create_model(
        recipe["model"]["name"],
        **{"num_classes": data.num_classes, "input_shape": data.input_shape, "seed": recipe["train"]["seed"], **overrides},
    )


def _classification_loss(recipe):
    # Labels arrive one-hot (and mixed by MixUp/CutMix); logits come out of the model.
    return keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=recipe["train"]["label_smoothing"])


def _classification_metrics(recipe):
    return [keras.metrics.CategoricalAccuracy(name="accuracy")]


def _convnext_multipliers(model, layer_decay):
    from keras_zoo.training.layerwise_lr import convnext_lr_multipliers

    return convnext_lr_multipliers(model, layer_decay)


TASKS = {
    "image_classification": Task(
        build_data=_classification_data,
        build_model=_classification_model,
        build_loss=_classification_loss,
        build_metrics=_classification_metrics,
        monitor="val_accuracy",
        monitor_mode="max",
        lr_multipliers=_convnext_multipliers,
    ),
}


def get_task(name):
    if name not in TASKS:
        raise ValueError(f"Unknown task '{name}'. Valid: {', '.join(TASKS)}")
    return TASKS[name]
