"""Mixed precision for every family: one place that validates a precision
name, sets it, and gives an optimizer the loss scaling float16 needs.

Keras' `compile` already wraps the optimizer in a `LossScaleOptimizer`
when the model's policy is `mixed_float16`; models with their own
optimizers (the GAN) call `loss_scaled` for each of them.
"""

import contextlib

import keras

PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")


def check_precision(precision):
    if precision not in PRECISIONS:
        raise ValueError(f"Unknown precision {precision!r}. Valid: {list(PRECISIONS)}")
    return precision


def set_precision(precision):
    """Sets the global dtype policy: models built afterwards keep float32
    variables and compute in float16/bfloat16."""
    keras.config.set_dtype_policy(check_precision(precision))


@contextlib.contextmanager
def precision_scope(precision):
    """`set_precision` for the duration of a `with` block."""
    previous = keras.config.dtype_policy()
    set_precision(precision)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def needs_loss_scaling(dtype_policy):
    """float16 underflows small gradients; bfloat16 has float32's range."""
    return keras.dtype_policies.get(dtype_policy).name == "mixed_float16"


def loss_scaled(optimizer, dtype_policy):
    """`optimizer` wrapped in a dynamic `LossScaleOptimizer` under
    `mixed_float16` (as `Model.compile` does), unchanged otherwise."""
    optimizer = keras.optimizers.get(optimizer)
    if needs_loss_scaling(dtype_policy) and not isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer
