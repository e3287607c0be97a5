"""Calling a parent layer's sublayers without Keras' per-call bookkeeping, on PyTorch.

Every `layer(x)` runs Keras' `Layer.__call__`: input conversion, binding the
call signature, masks, name and autocast scopes, and setting `_called` and
`built` through torch's slow `Module.__setattr__`. On PyTorch that runs in
eager Python on every step, ~0.2 ms a call: a ConvNeXt-T forward makes 139
calls, and skipping those of the blocks' sublayers took a batch-8 forward
from 0.425 to 0.395 s on a 2-core CPU, with identical outputs. JAX and
TensorFlow pay the bookkeeping once, while tracing, so they keep Keras' path.
"""

import keras

SKIPS_BOOKKEEPING = keras.backend.backend() == "torch"


def sublayer_call(layer, inputs):
    """`layer(inputs)`, as `layer.call(inputs)` where Keras' `__call__` would
    add nothing: on PyTorch, for a built layer on a concrete tensor of its
    compute dtype, with no mixed or quantized policy (no autocast scope to
    enter), no activity regularizer and no torch module hooks. Meant for a
    parent's `call`, whose own `__call__` has already done the bookkeeping
    (the parent's training flag is passed on explicitly where a sublayer uses one).
    """
    if SKIPS_BOOKKEEPING and _bookkeeping_adds_nothing(layer, inputs):
        return layer.call(inputs)
    return layer(inputs)


def _bookkeeping_adds_nothing(layer, inputs):
    policy = layer.dtype_policy
    return (
        layer.built
        and not isinstance(inputs, keras.KerasTensor)
        and policy.quantization_mode is None
        and policy.compute_dtype == policy.variable_dtype == keras.backend.standardize_dtype(inputs.dtype)
        and layer.activity_regularizer is None
        and not layer._forward_hooks  # torch.nn.Module hooks, which __call__ would run
        and not layer._forward_pre_hooks
    )
