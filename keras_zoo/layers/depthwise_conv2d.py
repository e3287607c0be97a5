import keras
from keras import ops

from keras_zoo.backend import biased_ops
from keras_zoo.backend.fast_paths import MIN_SHIFTED_VALUES  # noqa: F401  (its old home)
from keras_zoo.backend.fast_paths import auto_depthwise_formulation
from keras_zoo.layers.batched_grad_depthwise import batched_grad_depthwise_conv
from keras_zoo.layers.shifted_depthwise import shifted_depthwise_conv

FORMULATIONS = ("auto", "native", "shifted", "batched_grad")
WRITTEN_OUT = {"shifted": shifted_depthwise_conv, "batched_grad": batched_grad_depthwise_conv}

@keras.saving.register_keras_serializable(package="keras_zoo")
class DepthwiseConv2D(keras.layers.DepthwiseConv2D):
    """`keras.layers.DepthwiseConv2D` that picks how the convolution is computed.

    Same arguments, variables (`kernel` (kh, kw, C, 1), `bias` (C,)) and
    results as the Keras layer, plus `formulation`:
    - "native": `keras.ops.depthwise_conv`, the backend's grouped convolution
      (on PyTorch, with a bias and where Keras' padding is symmetric, one
      `conv2d` that adds the bias and copies nothing:
      `keras_zoo.backend.biased_ops`).
    - "shifted": the sum over the kh*kw kernel taps of the (padded) input
      shifted by the tap, times the tap's per-channel weight. Only pads,
      slices and multiply-adds, which XLA fuses well on CPU; the gradient is
      written out (`keras_zoo.layers.shifted_depthwise`). Needs stride 1,
      dilation 1, depth_multiplier 1 and channels_last.
    - "batched_grad": the native convolution, its gradient written out with
      the kernel gradient as one depthwise convolution over the batch laid
      out as channels (`keras_zoo.layers.batched_grad_depthwise`). Same
      conditions as "shifted".
    - "auto": `auto_depthwise_formulation()` (shifted on JAX CPU for inputs
      of at least MIN_SHIFTED_VALUES values, batched_grad on TensorFlow CPU
      in float32, otherwise native), falling back to native where the
      chosen one does not apply.
    The formulation is read at call time, so it can be changed after building.
    """

    def __init__(self, kernel_size, formulation="auto", **kwargs):
        super().__init__(kernel_size, **kwargs)
        if formulation not in FORMULATIONS:
            raise ValueError(
                f"`formulation` must be one of {FORMULATIONS}. Received: formulation={formulation!r}"
            )
        if formulation in WRITTEN_OUT and not self._written_out_applies():
            raise ValueError(
                f"formulation={formulation!r} needs strides=1, dilation_rate=1, depth_multiplier=1 and "
                f"data_format='channels_last'. Received: strides={self.strides}, "
                f"dilation_rate={self.dilation_rate}, depth_multiplier={self.depth_multiplier}, "
                f"data_format={self.data_format!r}"
            )
        self.formulation = formulation

    def _written_out_applies(self):
        return (
            tuple(self.strides) == (1, 1)
            and tuple(self.dilation_rate) == (1, 1)
            and self.depth_multiplier == 1
            and self.data_format == "channels_last"
        )

    def resolved_formulation(self, input_shape=None):
        """"native", "shifted" or "batched_grad", what `call` computes with
        for `input_shape`."""
        if self.formulation != "auto":
            return self.formulation
        if not self._written_out_applies():
            return "native"
        formulation = auto_depthwise_formulation(input_shape=None if input_shape is None else tuple(input_shape))
        if formulation == "batched_grad" and self.compute_dtype != "float32":
            return "native"  # measured in float32 only
        return formulation

    def call(self, inputs):
        formulation = self.resolved_formulation(inputs.shape)
        if formulation == "native":
            padding = biased_ops.conv_padding(self)
            if padding is None:
                return super().call(inputs)
            kh, kw, channels, multiplier = self.kernel.shape  # as a grouped convolution's kernel:
            kernel = ops.reshape(ops.cast(self.kernel, inputs.dtype), (kh, kw, 1, channels * multiplier))
            outputs = biased_ops.biased_conv2d(
                inputs, kernel, ops.cast(self.bias, inputs.dtype), self.strides, padding, groups=channels
            )
            return outputs if self.activation is None else self.activation(outputs)
        outputs = self._written_out_depthwise(inputs, WRITTEN_OUT[formulation])
        if self.use_bias:
            outputs = outputs + ops.cast(self.bias, outputs.dtype)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs

    def _written_out_depthwise(self, inputs, formulation):
        kh, kw = self.kernel_size
        if self.padding == "same":  # as TF/Keras "same" at stride 1: extra row/column after
            padding = (((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2))
        else:  # "valid"
            padding = ((0, 0), (0, 0))
        kernel = ops.cast(self.kernel, inputs.dtype)[:, :, :, 0]  # (kh, kw, C)
        return formulation(inputs, kernel, padding)

    def get_config(self):
        return {**super().get_config(), "formulation": self.formulation}
