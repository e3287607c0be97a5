import keras
from keras import ops

from keras_zoo.backend import biased_ops
from keras_zoo.backend.accelerator import on_accelerator

FORMULATIONS = ("auto", "native", "shifted")
# Below this height or width "auto" stays native: the shifted sum compiles
# ~3x slower (first training step of the 32x32 test ConvNeXt on JAX CPU: 82 s
# against 26 s, loaded machine) and small maps gain little at run time.
MIN_SHIFTED_SIZE = 14


def auto_depthwise_formulation(backend=None, accelerator=None, spatial_shape=None):
    """The formulation `formulation="auto"` picks, per backend, device and
    feature-map size `(height, width)` (None: large enough).

    Measured on a 2-core CPU, (8, 56, 56, 96) by a 7x7 kernel, forward /
    forward+gradient (the whole-model effect is in benchmarks/README.md):
    - JAX CPU: XLA compiles the grouped convolution
      (`lax.conv_general_dilated(feature_group_count=C)`) into a slow generic
      loop (~230 / ~1000 ms); 49 shifted multiply-adds fuse into one loop
      (~9 / ~290 ms): "shifted".
    - TensorFlow CPU: the oneDNN depthwise kernel without XLA is fastest
      (~12-24 / ~33-120 ms), the shifted sum is slower: "native" (and the
      recipes leave XLA off on CPU, Keras' "auto" default there).
    - PyTorch: `conv2d(groups=C)` is fast; 49 eager ops are not: "native".
    - Any GPU/TPU: the vendors' fused depthwise kernels: "native".
    - Maps smaller than MIN_SHIFTED_SIZE on a side: "native" (compile time).
    """
    backend = backend or keras.backend.backend()
    accelerator = on_accelerator() if accelerator is None else accelerator
    small = spatial_shape is not None and any(s is None or s < MIN_SHIFTED_SIZE for s in spatial_shape)
    if backend == "jax" and not accelerator and not small:
        return "shifted"
    return "native"


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
      slices and multiply-adds, which XLA fuses well on CPU. Needs stride 1,
      dilation 1, depth_multiplier 1 and channels_last.
    - "auto": `auto_depthwise_formulation()` (shifted on JAX CPU for maps of
      at least 14x14, otherwise native), falling back to native where shifted
      does not apply.
    The formulation is read at call time, so it can be changed after building.
    """

    def __init__(self, kernel_size, formulation="auto", **kwargs):
        super().__init__(kernel_size, **kwargs)
        if formulation not in FORMULATIONS:
            raise ValueError(
                f"`formulation` must be one of {FORMULATIONS}. Received: formulation={formulation!r}"
            )
        if formulation == "shifted" and not self._shifted_applies():
            raise ValueError(
                "formulation='shifted' needs strides=1, dilation_rate=1, depth_multiplier=1 and "
                f"data_format='channels_last'. Received: strides={self.strides}, "
                f"dilation_rate={self.dilation_rate}, depth_multiplier={self.depth_multiplier}, "
                f"data_format={self.data_format!r}"
            )
        self.formulation = formulation

    def _shifted_applies(self):
        return (
            tuple(self.strides) == (1, 1)
            and tuple(self.dilation_rate) == (1, 1)
            and self.depth_multiplier == 1
            and self.data_format == "channels_last"
        )

    def resolved_formulation(self, input_shape=None):
        """"native" or "shifted", what `call` computes with for `input_shape`."""
        if self.formulation != "auto":
            return self.formulation
        if not self._shifted_applies():
            return "native"
        return auto_depthwise_formulation(spatial_shape=None if input_shape is None else tuple(input_shape[1:3]))

    def call(self, inputs):
        if self.resolved_formulation(inputs.shape) == "native":
            padding = biased_ops.conv_padding(self)
            if padding is None:
                return super().call(inputs)
            kh, kw, channels, multiplier = self.kernel.shape  # as a grouped convolution's kernel:
            kernel = ops.reshape(ops.cast(self.kernel, inputs.dtype), (kh, kw, 1, channels * multiplier))
            outputs = biased_ops.biased_conv2d(
                inputs, kernel, ops.cast(self.bias, inputs.dtype), self.strides, padding, groups=channels
            )
            return outputs if self.activation is None else self.activation(outputs)
        outputs = self._shifted_depthwise(inputs)
        if self.use_bias:
            outputs = outputs + ops.cast(self.bias, outputs.dtype)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs

    def _shifted_depthwise(self, inputs):
        kh, kw = self.kernel_size
        height, width = ops.shape(inputs)[1], ops.shape(inputs)[2]
        if self.padding == "same":  # as TF/Keras "same" at stride 1: extra row/column after
            inputs = ops.pad(inputs, ((0, 0), ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2), (0, 0)))
        else:  # "valid"
            height, width = height - kh + 1, width - kw + 1
        kernel = ops.cast(self.kernel, inputs.dtype)  # (kh, kw, C, 1)
        outputs = None
        for i in range(kh):
            for j in range(kw):
                tap = inputs[:, i : i + height, j : j + width, :] * kernel[i, j, :, 0]  # (B, H, W, C)
                outputs = tap if outputs is None else outputs + tap
        return outputs

    def get_config(self):
        return {**super().get_config(), "formulation": self.formulation}
