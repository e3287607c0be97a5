"""What a recipe's `task` means: how to build its data, model, loss and
metrics, and what to measure once training ends. This table is the
extension point for model families: a `Task` registered here gets the
trainer, run directories, resume, NaN guard, CSV and plots for free."""

import dataclasses
from typing import Callable

import keras


@dataclasses.dataclass(frozen=True)
class Task:
    build_data: Callable  # (recipe) -> object with .train, .validation, .steps_per_epoch
    build_model: Callable  # (recipe, data) -> keras.Model
    build_loss: Callable  # (recipe) -> keras loss
    build_metrics: Callable  # (recipe) -> list of metrics
    monitor: str  # the validation metric that picks best.keras; None: no validation, last.keras only
    monitor_mode: str  # "max" or "min"
    lr_multipliers: Callable = None  # (model, layer_decay) -> {variable.path: multiplier}
    compile_model: Callable = None  # (recipe, model) -> None; None: the trainer's [optimizer] compile
    callbacks: Callable = None  # (recipe, run_directory) -> extra callbacks (sample grids, ...)
    after_fit: Callable = None  # (recipe, trained model, data) -> {held-out metric: value}
    headline: Callable = None  # (RunResult) -> the CLI's one-line summary of the task's own metric


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


def _layerwise_multipliers(model, layer_decay):
    from keras_zoo.optimizers import layerwise_lr_multipliers

    return layerwise_lr_multipliers(model, layer_decay)


def _classification_headline(result):
    return f"best validation accuracy {result.best:.4f}"


def _translation_task():
    from keras_zoo.training import translation_task as t

    return Task(
        build_data=t.build_translation_data,
        build_model=t.build_translation_model,
        build_loss=t.build_translation_loss,
        build_metrics=t.build_translation_metrics,
        # Teacher-forced token accuracy saturates at 1.0 within a few epochs
        # on the number task; the label-smoothed loss goes on falling.
        monitor="val_loss",
        monitor_mode="min",
        compile_model=t.compile_translation_model,
        after_fit=t.translation_results,
        headline=t.translation_headline,
    )


def _gan_task():
    from keras_zoo.training import gan_task as g

    return Task(
        build_data=g.build_gan_data,
        build_model=g.build_gan_model,
        build_loss=None,  # the GAN's own train_step holds both losses
        build_metrics=None,
        monitor=None,
        monitor_mode=None,
        compile_model=g.compile_gan_model,
        callbacks=g.gan_callbacks,
        after_fit=g.gan_results,
        headline=g.gan_headline,
    )


TASKS = {
    "image_classification": Task(
        build_data=_classification_data,
        build_model=_classification_model,
        build_loss=_classification_loss,
        build_metrics=_classification_metrics,
        monitor="val_accuracy",
        monitor_mode="max",
        lr_multipliers=_layerwise_multipliers,
        headline=_classification_headline,
    ),
    "translation": _translation_task(),
    "gan": _gan_task(),
}


def get_task(name):
    if name not in TASKS:
        raise ValueError(f"Unknown task '{name}'. Valid: {', '.join(TASKS)}")
    return TASKS[name]
