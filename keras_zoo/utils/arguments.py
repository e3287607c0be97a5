"""The keyword arguments a builder accepts, for errors that name a typo."""

import difflib
import inspect

# What every keras.Model constructor takes besides its own arguments.
MODEL_KEYWORDS = ("name", "dtype", "trainable")


def keyword_arguments(*callables, exclude=(), extra=()):
    """Sorted names of the keyword arguments of `callables` (their `**kwargs`
    not counted), plus `extra` and `MODEL_KEYWORDS`, minus `exclude`."""
    names = set(extra) | set(MODEL_KEYWORDS)
    for function in callables:
        for parameter in inspect.signature(function).parameters.values():
            if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
                names.add(parameter.name)
    return tuple(sorted(names - set(exclude) - {"self"}))


def check_keywords(received, valid, where):
    """Raises `ValueError` naming the first unknown keyword of `received`,
    the closest valid one and all valid ones."""
    unknown = sorted(set(received) - set(valid))
    if not unknown:
        return
    close = difflib.get_close_matches(unknown[0], valid, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise ValueError(
        f"{where} got unknown keyword argument{'s' if len(unknown) > 1 else ''} "
        f"{', '.join(repr(name) for name in unknown)}.{hint} Valid: {', '.join(valid)}"
    )
