"""Compiles a function of a Keras model's layers, once per backend.

Model code stays in `keras.ops`; only this module knows how each backend
compiles: `jax.jit` with the model's variables passed in as arguments
(through `keras.StatelessScope`, so the weights are not baked in as
constants), `tf.function` with XLA on TensorFlow, and plain eager execution
on PyTorch.
"""

import keras


def jit_compile(function, variables):
    """Returns `compiled(*args)` computing `function(*args)`; `args` are
    tensors, `variables` the Keras variables `function` reads."""
    backend = keras.backend.backend()
    if backend == "jax":
        return _jax_jit(function, variables)
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.function(function, jit_compile=True, reduce_retracing=True)
    return function


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
