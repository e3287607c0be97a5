"""How a gradient is taken and applied, chosen once for the active backend
(the way `keras/src/models/model.py` chooses its Trainer).

The interface, identical on every backend:

- `value_and_grad(loss_fn, variables) -> (loss, aux, grads)`: calls
  `loss_fn() -> (scalar loss, aux)`, which reads Keras variables as usual,
  and differentiates the loss with respect to `variables`.
- `input_gradient(fn, inputs)`: the gradient of `sum(fn(inputs))` with
  respect to `inputs`, itself differentiable (for a gradient penalty).
  `fn` must not update any variable (no batch normalization in training).
- `apply_gradients(optimizer, grads, variables)`: one optimizer step.
- `StatefulTrainStep`: a `keras.Model` mixin whose `train_step` runs the
  model's `stateful_train_step(data)`, which is written once with stateful
  Keras code. On JAX it threads the stateless trainer's state through it.
"""

import keras

_BACKEND = keras.backend.backend()

if _BACKEND == "tensorflow":
    from keras_zoo.backend.gradients.tensorflow import StatefulTrainStep
    from keras_zoo.backend.gradients.tensorflow import apply_gradients
    from keras_zoo.backend.gradients.tensorflow import input_gradient
    from keras_zoo.backend.gradients.tensorflow import value_and_grad
elif _BACKEND == "jax":
    from keras_zoo.backend.gradients.jax import StatefulTrainStep
    from keras_zoo.backend.gradients.jax import apply_gradients
    from keras_zoo.backend.gradients.jax import input_gradient
    from keras_zoo.backend.gradients.jax import value_and_grad
elif _BACKEND == "torch":
    from keras_zoo.backend.gradients.torch import StatefulTrainStep
    from keras_zoo.backend.gradients.torch import apply_gradients
    from keras_zoo.backend.gradients.torch import input_gradient
    from keras_zoo.backend.gradients.torch import value_and_grad
else:
    raise ImportError(
        f"keras_zoo gradients support the backends 'tensorflow', 'jax' and "
        f"'torch'. Received: KERAS_BACKEND='{_BACKEND}'"
    )

__all__ = ["StatefulTrainStep", "apply_gradients", "input_gradient", "value_and_grad"]
