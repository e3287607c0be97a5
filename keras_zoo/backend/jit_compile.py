"""Compiles a function of a Keras model's layers, once per backend.

Model code stays in `keras.ops`; only this module knows how each backend
compiles: `jax.jit` with the model's variables passed in as arguments
(through `keras.StatelessScope`, so the weights are not baked in as
constants), `tf.function` with XLA on TensorFlow, and on PyTorch eager
execution without autograd whose loops (`while_loop` below) may run each
iteration as one `torch.compile`d call.
"""

import contextvars
import warnings

import keras

_COMPILE_TORCH_LOOPS = contextvars.ContextVar("compile_torch_loops", default=False)
_EAGER_BODIES = set()  # code of loop bodies torch.compile could not run: warned once, then eager


def jit_compile(function, variables, torch_loops=False, host_callbacks=False):
    """Returns `compiled(*args)` computing `function(*args)`; `args` are
    tensors, `variables` the Keras variables `function` reads. On PyTorch
    `torch_loops=True` compiles the body of each `while_loop` in `function`
    (see there); JAX and TensorFlow always compile the whole function, with
    XLA unless `function` calls `host_callback` on TensorFlow (XLA cannot
    call back into Python there: a plain graph then)."""
    backend = keras.backend.backend()
    if backend == "jax":
        return _jax_jit(function, variables)
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.function(function, jit_compile=not host_callbacks, reduce_retracing=True)
    import torch

    def run(*args):
        token = _COMPILE_TORCH_LOOPS.set(bool(torch_loops))
        try:
            return function(*args)
        finally:
            _COMPILE_TORCH_LOOPS.reset(token)

    return torch.no_grad()(run)


def host_callback(function, *tensors):
    """Calls `function(*numpy arrays)` on the host with the values `tensors`
    have when the compiled function runs (streaming tokens out of a loop):
    `jax.debug.callback` (ordered), `tf.py_function`, or a plain call on
    PyTorch. Returns nothing into the computation."""
    import numpy as np

    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        jax.debug.callback(lambda *arrays: function(*(np.asarray(a) for a in arrays)), *tensors, ordered=True)
    elif backend == "tensorflow":
        import tensorflow as tf

        def call(*values):
            function(*(value.numpy() for value in values))
            return np.int32(0)

        tf.py_function(call, list(tensors), Tout=tf.int32)
    else:
        function(*(keras.ops.convert_to_numpy(t) for t in tensors))


def while_loop(cond, body, state):
    """`keras.ops.while_loop(cond, body, state)`, inside a function given to
    `jit_compile`. JAX and TensorFlow compile the whole loop with the
    function. On PyTorch the loop stays in Python; with `torch_loops=True`
    `body` runs as one `torch.compile`d graph per iteration (static shapes:
    the first iteration compiles, every later one, and every later call of
    the same shapes, reuses it), so a generated token costs one call instead
    of a Python walk over the model's layers. Where `torch.compile` cannot
    run `body`, the loop runs it eagerly, with one warning."""
    if keras.backend.backend() != "torch":
        return keras.ops.while_loop(cond, body, state)
    state = tuple(state)
    step = _compiled_body(body) if _COMPILE_TORCH_LOOPS.get() else body
    while bool(cond(*state)):
        state = tuple(step(*state))
    return state


def _compiled_body(body):
    import torch

    code = body.__code__
    if code in _EAGER_BODIES:
        return body
    compiled = torch.compile(body, dynamic=False)

    def step(*state):
        if code in _EAGER_BODIES:
            return body(*state)
        try:
            return compiled(*state)
        except Exception as error:  # the body is pure: rerunning it eagerly is safe
            result = body(*state)  # raises the loop's own error where eager fails too
            _EAGER_BODIES.add(code)
            warnings.warn(f"torch.compile could not run the loop body {code.co_name!r} of "
                          f"{code.co_filename}:{code.co_firstlineno} ({first_line(error)}); "
                          "it runs eagerly from here on.", RuntimeWarning, stacklevel=3)
            return result

    return step


def first_line(error):
    """`Type: first line of the message` (200 characters at most), for a warning."""
    text = str(error).strip()
    return f"{type(error).__name__}: {(text.splitlines()[0] if text else '')[:200]}"


def _jax_jit(function, variables):
    import jax

    variables = list(variables)

    @jax.jit
    def stateless(values, *args):
        with keras.StatelessScope(state_mapping=list(zip(variables, values))):
            return function(*args)

    def compiled(*args):
        return stateless([variable.value for variable in variables], *args)

    return compiled
