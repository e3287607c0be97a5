import keras
from keras import ops

from keras_zoo.backend import biased_ops
from keras_zoo.backend import fast_paths
from keras_zoo.layers import exact_gelu


@keras.saving.register_keras_serializable(package="keras_zoo")
class Dense(keras.layers.Dense):
    """`keras.layers.Dense` that adds its bias inside the product where the
    backend can (PyTorch's `addmm`, and in CPU inference oneDNN's product with
    bias and GELU/ReLU in one kernel; see `keras_zoo.backend.biased_ops`),
    and on JAX computes exact GELU with a gradient that reuses its forward
    pass (`keras_zoo.layers.exact_gelu`).

    Same arguments, config, variables (LoRA included) and results as the
    Keras layer (tested equal, gradients too); on other backends it computes
    as the Keras layer does, and quantized layers never reach `call`.
    """

    def call(self, inputs, training=None):
        if fast_paths.gelu_saves_cdf() and self.activation is keras.activations.gelu:
            x = ops.matmul(inputs, self.kernel)  # Keras' Dense.call, with the GELU that keeps its CDF
            if self.bias is not None:
                x = ops.add(x, self.bias)
            return exact_gelu.exact_gelu(x)
        if not (biased_ops.FUSED_BIAS and self.bias is not None):
            return super().call(inputs, training=training)
        return biased_ops.biased_matmul(
            inputs, ops.cast(self.kernel, inputs.dtype), ops.cast(self.bias, inputs.dtype), self.activation
        )
