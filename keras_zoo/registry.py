"""The model registry behind `keras_zoo.list_models()` and `keras_zoo.create_model()`.

Each family registers one builder per variant name; a builder takes keyword
overrides and returns a built `keras.Model`.
"""

import difflib
import fnmatch

_MODELS = {}


def register_model(name, builder):
    """Registers `builder(**overrides) -> keras.Model` under `name`."""
    if name in _MODELS:
        raise ValueError(f"Model '{name}' is already registered.")
    _MODELS[name] = builder


def list_models(pattern=None):
    """Returns the sorted registered model names, optionally filtered by a
    shell-style `pattern` such as `"convnext_*"`."""
    _import_families()
    names = sorted(_MODELS)
    if pattern is not None:
        names = [name for name in names if fnmatch.fnmatch(name, pattern)]
    return names


def create_model(name, **overrides):
    """Builds the registered model `name`, with keyword `overrides` of its
    defaults (for example `num_classes=10`, `weights="model.pth"`)."""
    _import_families()
    if not isinstance(name, str) or name not in _MODELS:
        available = sorted(_MODELS)
        close = difflib.get_close_matches(str(name), available, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise ValueError(
            f"Unknown model '{name}'.{hint} Available: {', '.join(available)}"
        )
    return _MODELS[name](**overrides)


def _import_families():
    # Importing a family registers its variants.
    from keras_zoo import models  # noqa: F401
