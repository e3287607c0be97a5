"""Trains a resolved recipe into a run directory, and evaluates a run.

A run directory holds: `recipe.json` (the resolved recipe), `last.keras` and
`best.keras`, `metrics.csv`, `training_curves.png`, `logs/` (TensorBoard),
`tokenizer.json` (text tasks whose tokenizer was trained for the run),
`backup/` (the resume state, removed at completion) and `COMPLETED`.
"""

import dataclasses
import os
import time

import keras

from keras_zoo.backend.compiled_steps import compile_fallbacks
from keras_zoo.backend.compiled_steps import describe_execution
from keras_zoo.distribution.batching import divisible_batch_size
from keras_zoo.distribution.batching import replica_divisible_batches
from keras_zoo.distribution.distribution_strategy import distribution_scope
from keras_zoo.recipes.schema import RecipeError
from keras_zoo.registry import model_parallel_layout
from keras_zoo.training.epoch_csv_logger import EpochCSVLogger
from keras_zoo.training.epoch_csv_logger import read_metrics_csv
from keras_zoo.training.nan_guard import StopOnNaN
from keras_zoo.training.optimizer_builder import build_optimizer
from keras_zoo.training.run_directory import RunDirectoryError
from keras_zoo.training.run_directory import find_or_create_run_directory
from keras_zoo.training.run_directory import mark_completed
from keras_zoo.training.run_directory import read_run_recipe
from keras_zoo.training.run_tokenizer import save_run_tokenizer
from keras_zoo.training.run_tokenizer import with_run_tokenizer
from keras_zoo.training.tasks import get_task
from keras_zoo.training.tensorboard_scalars import TensorBoardScalars
from keras_zoo.training.training_curves import TrainingCurvesPlot
from keras_zoo.utils.precision import set_precision

_JIT = {"auto": "auto", "true": True, "false": False}


@dataclasses.dataclass
class RunResult:
    run_directory: str
    resumed: bool
    history: dict
    best: float  # the best validation value of the task's monitor (nan without one)
    seconds: float  # wall time of this session's training
    results: dict = dataclasses.field(default_factory=dict)  # the task's after-fit metrics


def build_model_for_recipe(recipe, data):
    """The recipe's model; bad model overrides become a `RecipeError`."""
    task = get_task(recipe["recipe"]["task"])
    try:
        return task.build_model(recipe, data)
    except (TypeError, ValueError) as error:
        raise RecipeError(f"[model] section {recipe['model']} cannot build a model: {error}") from None


def train_recipe(recipe, runs_root="saved_models", verbose="auto", extra_callbacks=()):
    """Trains `recipe` (from `load_recipe`), resuming its latest unfinished
    run if there is one. Returns a `RunResult`."""
    task = get_task(recipe["recipe"]["task"])
    train = recipe["train"]
    keras.utils.set_random_seed(train["seed"])
    set_precision(train["precision"])
    with distribution_scope(_distribution(train["distribution"]), layout=_model_parallel_layout(recipe)):
        batch_size = divisible_batch_size(train["batch_size"])
        run_directory, resumed = find_or_create_run_directory(runs_root, recipe)
        resolved = with_run_tokenizer(recipe, run_directory)  # a resumed run reads the tokenizer it wrote
        data = task.build_data({**resolved, "train": {**train, "batch_size": batch_size}})
        save_run_tokenizer(data, run_directory)
        model = build_model_for_recipe(recipe, data)
        if task.compile_model:
            task.compile_model(recipe, model, data)
        else:
            _compile(recipe, task, model, train["steps_per_epoch"] or data.steps_per_epoch)
        execution = apply_jit_compile(recipe, model)
        if verbose != 0:
            print(f"Training steps: {execution}", flush=True)

        callbacks = _callbacks(run_directory, task, recipe, data) + list(extra_callbacks)
        start = time.time()
        history = model.fit(
            data.train,
            validation_data=replica_divisible_batches(data.validation),
            epochs=train["epochs"],
            steps_per_epoch=train["steps_per_epoch"] or None,
            shuffle=False,  # the pipeline shuffles
            callbacks=callbacks,
            verbose=verbose,
        )
    seconds = time.time() - start
    rows = read_metrics_csv(os.path.join(run_directory, "metrics.csv"))
    values = [row[task.monitor] for row in rows if task.monitor in row]
    best = (min if task.monitor_mode == "min" else max)(values) if values else float("nan")
    final = _final_model(run_directory, task, model)
    if final is not model:
        final.jit_compile = model.jit_compile  # PyTorch: how the after-fit generation runs, too
    results = task.after_fit(recipe, final, data) if task.after_fit else {}
    mark_completed(
        run_directory,
        {"epochs": len(rows), **({f"best_{task.monitor}": best} if task.monitor else {}),
         "last": rows[-1] if rows else {}, "results": results, "backend": keras.backend.backend(),
         "seconds_last_session": seconds, "execution": execution,
         "torch_compile_fallbacks": compile_fallbacks(model)},
    )
    return RunResult(run_directory, resumed, history.history, best, seconds, results)


def _distribution(distribution):
    # One process per device under torchrun would write one run directory
    # each: multi-process PyTorch goes through keras_zoo.distribution.torch_ddp.
    if keras.backend.backend() == "torch" and int(os.environ.get("WORLD_SIZE", "1")) > 1:
        raise RecipeError(
            "keras-zoo train runs one process; under torchrun (WORLD_SIZE="
            f"{os.environ['WORLD_SIZE']}) train from Python with keras_zoo.distribution.torch_ddp "
            "(README: Mixed precision and distribution)."
        )
    return distribution


def _model_parallel_layout(recipe):
    # Looked up by name: the layout must be set before the model is built.
    if recipe["train"]["distribution"] != "model_parallel":
        return None
    try:
        return model_parallel_layout(recipe["model"]["name"])
    except ValueError as error:
        raise RecipeError(f"[train] distribution = \"model_parallel\": {error}") from None


def _compile(recipe, task, model, steps_per_epoch):
    """The [optimizer] section's optimizer (schedule, EMA, layer-wise decay)."""
    train = recipe["train"]
    decay = recipe["optimizer"]["layer_decay"]
    multipliers = task.lr_multipliers(model, decay) if decay < 1.0 and task.lr_multipliers else None
    optimizer = build_optimizer(recipe["optimizer"], train["batch_size"], train["epochs"], steps_per_epoch, multipliers)
    model.compile(
        optimizer=optimizer,
        loss=task.build_loss(recipe),
        metrics=task.build_metrics(recipe),
        jit_compile=_JIT[train["jit_compile"]],
    )


def apply_jit_compile(recipe, model):
    """The recipe's `train.jit_compile` on a compiled `model` (tasks that
    compile themselves leave Keras' "auto"); returns the log line saying
    how its steps run, and why."""
    requested = _JIT[recipe["train"]["jit_compile"]]
    if requested != "auto":
        model.jit_compile = requested
    return describe_execution(model, requested)


def _final_model(run_directory, task, model):
    """The model the after-fit metrics judge: the best checkpoint where the
    task has a validation metric, else the model as trained."""
    best = os.path.join(run_directory, "best.keras")
    if task.monitor is None or not os.path.exists(best):
        return model
    return keras.saving.load_model(best, compile=False)


def _callbacks(run_directory, task, recipe, data):
    def path(name):
        return os.path.join(run_directory, name)

    best_checkpoint = None
    if task.monitor is not None:  # without validation data there is no "best"
        best_checkpoint = keras.callbacks.ModelCheckpoint(
            path("best.keras"), monitor=task.monitor, mode=task.monitor_mode, save_best_only=True
        )
    callbacks = [
        StopOnNaN(checkpoint_hint=f"The last good checkpoint is {path('last.keras')}."),
        EpochCSVLogger(path("metrics.csv"), best_checkpoint=best_checkpoint),
        TrainingCurvesPlot(path("metrics.csv"), path("training_curves.png"), title=recipe["recipe"]["name"]),
        TensorBoardScalars(path("logs")),
        # Saves the raw (not EMA) weights with the optimizer state; double
        # checkpointing survives a kill in the middle of a save.
        keras.callbacks.BackupAndRestore(path("backup"), double_checkpoint=True),
    ]
    if recipe["optimizer"].get("ema"):
        # From here on, epoch-end callbacks (the checkpoints) and validation see the EMA weights.
        callbacks.append(keras.callbacks.SwapEMAWeights(swap_on_epoch=True))
    if task.callbacks:
        callbacks += task.callbacks(recipe, run_directory, data)
    callbacks.append(keras.callbacks.ModelCheckpoint(path("last.keras")))
    if best_checkpoint is not None:
        callbacks.append(best_checkpoint)
    return callbacks


def evaluate_run(run_directory, checkpoint="best.keras", verbose="auto"):
    """Evaluates a run's checkpoint on its recipe's validation data, plus the
    task's after-fit metrics; returns the metrics dict. A task without
    validation data (GAN) has only `last.keras`."""
    recipe = read_run_recipe(run_directory)
    if recipe is None:
        raise RunDirectoryError(
            f"{run_directory} is not a run directory: it holds no readable recipe.json "
            "(`keras-zoo train` writes one into each run, e.g. saved_models/digits_convnext-20260101-120000)."
        )
    task = get_task(recipe["recipe"]["task"])
    if task.monitor is None:
        checkpoint = "last.keras"
    model_path = os.path.join(run_directory, checkpoint)
    if not os.path.exists(model_path):
        raise RunDirectoryError(f"{model_path} does not exist; the run has not finished an epoch yet.")
    data = task.build_data(with_run_tokenizer(recipe, run_directory))
    model = keras.saving.load_model(model_path, compile=False)
    metrics = {}
    if data.validation is not None:
        weighted = task.weighted_metrics(recipe) if task.weighted_metrics else None
        model.compile(loss=task.build_loss(recipe), metrics=task.build_metrics(recipe), weighted_metrics=weighted)
        metrics = model.evaluate(data.validation, return_dict=True, verbose=verbose)
    if task.after_fit:
        metrics.update(task.after_fit(recipe, model, data))
    return metrics
