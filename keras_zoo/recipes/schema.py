"""What a recipe may contain: every section, key, type and valid range.

A recipe is rejected before any work starts if it has an unknown key, a value
of the wrong type or an impossible value; the error names the key, the value
received and what is valid. Which sections and keys exist depends on the
recipe's `task`: `recipe`, `model` and `train` are common
(`keras_zoo.recipes.fields`), the others belong to the task, which declares
them in its file under keras_zoo/training/tasks/ (its `Task.schema`). A
task's `open_sections` (the `[model]` of image classification and
translation) take, besides `name`, any keyword override of the registered
model (checked when it is built).
"""

from keras_zoo.recipes.fields import Field  # noqa: F401  (the old import path)
from keras_zoo.recipes.fields import RecipeError


def _tasks():
    # The tasks import this package's fields; importing them here, lazily,
    # keeps the two free of a circle.
    from keras_zoo.training.tasks import TASKS

    return TASKS


def _task(name):
    return _tasks()[name]


def _validate_task(value, source):
    tasks = _tasks()
    if not isinstance(value, str) or value not in tasks:
        raise RecipeError(
            f"recipe.task = {value!r} in {source} is not valid. Valid: {', '.join(map(repr, tasks))}."
        )
    return value


def __getattr__(name):
    """The old module-level tables, now each task's own (`Task.schema`)."""
    tables = {"SCHEMA": "image_classification", "TRANSLATION_SCHEMA": "translation", "GAN_SCHEMA": "gan"}
    if name in tables:
        return _task(tables[name]).schema
    if name == "TASK_SCHEMAS":
        return {task_name: task.schema for task_name, task in _tasks().items()}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Model overrides may hold scalars and lists of scalars.
_MODEL_VALUE_TYPES = (int, float, str, bool, list)


def validate_value(section, key, value, source="recipe", task="image_classification"):
    """Returns `value` converted to the key's type, or raises `RecipeError`.
    Which keys exist depends on `task` (its `Task.schema`)."""
    where = f"{section}.{key}"
    if (section, key) == ("recipe", "task"):
        return _validate_task(value, source)
    schema = _task(task).schema
    if section not in schema:
        raise RecipeError(
            f"Unknown section '{section}' in {source} (key '{where}') for task '{task}'. "
            f"Valid sections: {', '.join(schema)}"
        )
    if section in _task(task).open_sections and key != "name":
        if not isinstance(value, _MODEL_VALUE_TYPES):
            raise RecipeError(
                f"{where} = {value!r} in {source}: a model override must be a "
                "number, string, boolean or list."
            )
        return value
    fields = schema[section]
    if key not in fields:
        raise RecipeError(
            f"Unknown key '{where}' in {source} (value {value!r}) for task '{task}'. "
            f"Valid keys in [{section}]: {', '.join(fields)}"
        )
    field = fields[key]
    if field.kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if field.kind is str and isinstance(value, bool) and str(value).lower() in field.choices:
        value = str(value).lower()  # jit_compile = true (TOML's boolean) means the choice "true"
    if not isinstance(value, field.kind) or (field.kind is int and isinstance(value, bool)):
        raise RecipeError(
            f"{where} = {value!r} in {source} has type {type(value).__name__}; "
            f"expected {field.kind.__name__}: {field.valid}."
        )
    if field.choices and value not in field.choices:
        raise RecipeError(
            f"{where} = {value!r} in {source} is not valid. Valid: {', '.join(map(repr, field.choices))}."
        )
    if field.check is not None and not field.check(value):
        raise RecipeError(f"{where} = {value!r} in {source} is impossible. Valid: {field.valid}.")
    return value


def defaults(task="image_classification"):
    """The recipe every file of `task` starts from: each section's default values."""
    recipe = {
        section: {key: field.default for key, field in fields.items() if field.default is not None}
        for section, fields in _task(task).schema.items()
    }
    recipe["recipe"]["task"] = task
    return recipe
