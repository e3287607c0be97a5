import keras
from keras import ops

from keras_zoo.backend import biased_ops


@keras.saving.register_keras_serializable(package="keras_zoo")
class Conv2D(keras.layers.Conv2D):
    """`keras.layers.Conv2D` that adds its bias inside the convolution and
    skips Keras' copies of the input on PyTorch (channels-last, dilation 1,
    symmetric padding; see `keras_zoo.backend.biased_ops`).

    Same arguments, config, variables and results as the Keras layer (tested
    equal, gradients too); elsewhere it computes as the Keras layer does.
    """

    def call(self, inputs):
        padding = biased_ops.conv_padding(self)
        if padding is None:
            return super().call(inputs)
        outputs = biased_ops.biased_conv2d(
            inputs, ops.cast(self.kernel, inputs.dtype), ops.cast(self.bias, inputs.dtype),
            self.strides, padding, groups=self.groups,
        )
        return outputs if self.activation is None else self.activation(outputs)
