"""What a recipe's `task` means: how to build its data, model, loss and
metrics, which recipe sections it reads, and what to measure once training
ends. A `Task` registered here gets the trainer, run directories, resume,
NaN guard, CSV and plots for free; a new task is one file in this folder
and one import line in its `__init__.py`."""

import dataclasses
from typing import Callable


@dataclasses.dataclass(frozen=True)
class Task:
    schema: dict  # {section: {key: Field}}: every section its recipes may hold
    build_data: Callable  # (recipe) -> object with .train, .validation, .steps_per_epoch
    build_model: Callable  # (recipe, data) -> keras.Model
    build_loss: Callable  # (recipe) -> keras loss
    build_metrics: Callable  # (recipe) -> list of metrics
    monitor: str  # the validation metric that picks best.keras; None: no validation, last.keras only
    monitor_mode: str  # "max" or "min"
    open_sections: tuple = ()  # sections whose keys besides `name` are free model overrides
    weighted_metrics: Callable = None  # (recipe) -> metrics weighted by the batches' sample weights
    lr_multipliers: Callable = None  # (model, layer_decay) -> {variable.path: multiplier}
    compile_model: Callable = None  # (recipe, model, data) -> None; None: the trainer's [optimizer] compile
    callbacks: Callable = None  # (recipe, run_directory, data) -> extra callbacks (sample grids, ...)
    after_fit: Callable = None  # (recipe, trained model, data) -> {held-out metric: value}
    headline: Callable = None  # (RunResult) -> the CLI's one-line summary of the task's own metric


TASKS = {}


def register_task(name, task):
    if name in TASKS:
        raise ValueError(f"Task '{name}' is already registered.")
    TASKS[name] = task
    return task


def get_task(name):
    if name not in TASKS:
        raise ValueError(f"Unknown task '{name}'. Valid: {', '.join(TASKS)}")
    return TASKS[name]


def model_overrides(recipe):
    """The `[model]` keys besides `name`, TOML lists as tuples (a model's
    config holds tuples: `depths`, `dims`, ...)."""
    return {key: tuple(value) if isinstance(value, list) else value
            for key, value in recipe["model"].items() if key != "name"}
