"""The model registry behind `keras_zoo.list_models()` and `keras_zoo.create_model()`.

Each family registers one builder per variant name; a builder takes keyword
overrides and returns a built `keras.Model`.
"""

import difflib
import fnmatch

from keras_zoo.utils.arguments import check_keywords

_MODELS = {}
_ARGUMENTS = {}
_MODEL_PARALLEL_LAYOUTS = {}


def register_model(name, builder, arguments, model_parallel_layout=None):
    """Registers `builder(**overrides) -> keras.Model` under `name`;
    `arguments` are the keyword names it accepts (any other is an error).
    `model_parallel_layout`: the family's `{variable path regex: axes}`
    (its backbone's `model_parallel_layout`), or None."""
    if name in _MODELS:
        raise ValueError(f"Model '{name}' is already registered.")
    _MODELS[name] = builder
    _ARGUMENTS[name] = tuple(arguments)
    if model_parallel_layout is not None:
        _MODEL_PARALLEL_LAYOUTS[name] = model_parallel_layout


def model_arguments(name):
    """The keyword arguments `create_model(name, ...)` accepts."""
    return _ARGUMENTS[name]


def list_models(pattern=None):
    """Returns the sorted registered model names, optionally filtered by a
    shell-style `pattern` such as `"convnext_*"`."""
    names = sorted(_MODELS)
    if pattern is not None:
        names = [name for name in names if fnmatch.fnmatch(name, pattern)]
    return names


def create_model(name, **overrides):
    """Builds the registered model `name`, with keyword `overrides` of its
    defaults (for example `num_classes=10`, `weights="model.pth"`)."""
    _check_registered(name)
    check_keywords(overrides, _ARGUMENTS[name], f"create_model('{name}')")
    return _MODELS[name](**overrides)


def model_parallel_layout(name):
    """The layout map `distribution="model_parallel"` shards model `name`
    with; looked up by name because variables are laid out as they are
    created, before there is a model to ask."""
    _check_registered(name)
    if name not in _MODEL_PARALLEL_LAYOUTS:
        raise ValueError(
            f"Model '{name}' has no model-parallel layout map (its backbone's `model_parallel_layout`), "
            f"so it cannot train with distribution='model_parallel'; use 'data_parallel'. "
            f"Models with one: {', '.join(sorted(_MODEL_PARALLEL_LAYOUTS))}"
        )
    return _MODEL_PARALLEL_LAYOUTS[name]


def _check_registered(name):
    if not isinstance(name, str) or name not in _MODELS:
        available = sorted(_MODELS)
        close = difflib.get_close_matches(str(name), available, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise ValueError(
            f"Unknown model '{name}'.{hint} Available: {', '.join(available)}"
        )

