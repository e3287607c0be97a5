"""`jit_compile` on PyTorch: the measured default, and eager execution where
`torch.compile` fails.

Keras' torch trainer wraps its train, test and predict steps in
`torch.compile` when a model is compiled with `jit_compile=True`, and
resolves "auto" to eager. `CompiledSteps`, a `keras.Model` mixin, changes
two things on PyTorch (elsewhere it adds nothing):

- `jit_compile="auto"` (`compile`'s default, and `model.jit_compile` before
  any `compile`) asks `fast_paths.torch_compile_wins` for the model's
  `compile_family` on this device: compiled where that was measured to win,
  else eager as Keras does. `model.jit_compile` also chooses how
  `generate` runs on PyTorch (`keras_zoo.backend.jit_compile.while_loop`).
- A step that `torch.compile` cannot run (the WGAN-GP penalty's double
  backward: "torch.compile with aot_autograd does not currently support
  double backward"; a graph it cannot trace) runs eagerly from then on,
  with one warning, from the state the failed call started from: the
  variables are saved before each call that may compile (the first one, and
  one with inputs of a shape or dtype not seen before) and restored on
  failure (the first two calls: Keras' trainer recompiles on the second,
  whose gradients exist where the first's did not). Where the eager step
  fails too, its own error is raised: the fault is the input's, not the
  compiler's.
"""

import warnings

import keras

from keras_zoo.backend.fast_paths import on_accelerator
from keras_zoo.backend.jit_compile import first_line
from keras_zoo.backend.fast_paths import torch_compile_wins

class _KerasDefaults:
    """What the mixin is where Keras' own behaviour stands."""


if keras.backend.backend() != "torch":
    CompiledSteps = _KerasDefaults
else:

    class CompiledSteps:
        compile_family = None  # a family's models name themselves (fast_paths.TORCH_COMPILE_WINS)

        def _resolve_auto_jit_compile(self):  # Keras: False on PyTorch
            return torch_compile_wins(self.compile_family)

        def make_train_function(self, force=False):
            super().make_train_function(force)
            self.train_function = eager_fallback(self, self.train_function, "train")
            return self.train_function

        def make_test_function(self, force=False):
            super().make_test_function(force)
            self.test_function = eager_fallback(self, self.test_function, "test")
            return self.test_function

        def make_predict_function(self, force=False):
            super().make_predict_function(force)
            self.predict_function = eager_fallback(self, self.predict_function, "predict")
            return self.predict_function


def eager_fallback(model, function, kind):
    """`function` (one of Keras' step functions) if it is not a
    `torch.compile` wrapper; otherwise a step that runs it and, where it
    fails, restores the model's state and continues eagerly (see above)."""
    eager = getattr(function, "_torchdynamo_orig_callable", None)
    if eager is None or getattr(function, "_keras_zoo_step", False):
        return function
    calls = {}  # input signature -> calls so far
    current = {"function": function}

    def step(*args, **kwargs):
        if current["function"] is eager:
            return eager(*args, **kwargs)
        signature = _signature((args, kwargs))
        saved = _save_state(model) if calls.get(signature, 0) < 2 else None
        try:
            result = current["function"](*args, **kwargs)
        except Exception as error:
            if saved is not None:
                _restore_state(saved)
            result = eager(*args, **kwargs)  # raises the input's own error where eager fails too
            current["function"] = eager
            fallbacks = model.__dict__.setdefault("_torch_compile_fallbacks", {})
            fallbacks[kind] = first_line(error)
            warnings.warn(
                f"torch.compile could not run the {kind} step of {model.name!r} ({fallbacks[kind]}); "
                "it runs eagerly from here on (jit_compile=False avoids the attempt).",
                RuntimeWarning, stacklevel=2,
            )
            return result
        calls[signature] = calls.get(signature, 0) + 1
        return result

    step._keras_zoo_step = True
    step._torchdynamo_orig_callable = eager
    return step


def compile_fallbacks(model):
    """{step kind: the compiler's error} for each step that fell back to eager."""
    return dict(model.__dict__.get("_torch_compile_fallbacks", {}))


def _signature(structure):
    def describe(value):
        shape, dtype = getattr(value, "shape", None), getattr(value, "dtype", None)
        return (tuple(shape), str(dtype)) if shape is not None else type(value).__name__

    return tuple(describe(leaf) for leaf in keras.tree.flatten(structure))


def _state_variables(model):
    groups = [model.variables, model.metrics_variables]
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None:
        groups.append(optimizer.variables)
    unique = {}
    for group in groups:
        for variable in group:
            unique.setdefault(id(variable), variable)
    return list(unique.values())


def _save_state(model):
    return [(variable, keras.ops.copy(variable.value)) for variable in _state_variables(model)]


def _restore_state(saved):
    for variable, value in saved:
        variable.assign(value)


def describe_execution(model, requested="auto"):
    """One line for a run's log: how `model`'s steps run on this backend,
    and why (`requested`: the recipe's "auto", True or False)."""
    backend = keras.backend.backend()
    compiled = bool(model.jit_compile)
    if backend != "torch":
        return f"{backend}: jit_compile={compiled} (requested {requested})"
    how = "compiled with torch.compile" if compiled else "eager"
    if requested != "auto":
        return f"torch: {how} (jit_compile={requested})"
    family = getattr(model, "compile_family", None)
    device = "gpu" if on_accelerator() else "cpu"
    verdict = "measured faster" if compiled else "not measured faster"
    return (f"torch: {how} (jit_compile=auto: torch.compile is {verdict} for {family or 'this model'} "
            f"on {device}, keras_zoo.backend.fast_paths.TORCH_COMPILE_WINS)")
