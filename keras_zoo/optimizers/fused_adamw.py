import keras
from keras import ops

from keras_zoo.backend import fused_adamw


@keras.saving.register_keras_serializable(package="keras_zoo")
class FusedAdamW(keras.optimizers.AdamW):
    """`keras.optimizers.AdamW` whose update runs as one fused kernel per
    variable on PyTorch (`torch._fused_adamw_`; see
    `keras_zoo.backend.fused_adamw`). Same arguments, config, variables and
    updates as Keras' AdamW (tested equal); on JAX and TensorFlow, with
    `amsgrad=True`, and inside `torch.compile` (`jit_compile=True`), it runs
    Keras' own update. The recipes' "adamw" builds it.
    """

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        if self.amsgrad or not fused_adamw.fused_update_applies():
            return super()._backend_update_step(grads, trainable_variables, learning_rate)
        indices = [self._get_variable_index(variable) for variable in trainable_variables]
        fused_adamw.fused_adam_update(
            [variable.value for variable in trainable_variables],
            [ops.convert_to_tensor(grad) for grad in grads],
            [self._momentums[index].value for index in indices],
            [self._velocities[index].value for index in indices],
            learning_rate=float(ops.convert_to_numpy(learning_rate)),
            beta_1=float(self.beta_1),
            beta_2=float(self.beta_2),
            epsilon=float(self.epsilon),
            step=int(ops.convert_to_numpy(self.iterations)) + 1,
        )
