import keras
import numpy as np
from keras import ops

from keras_zoo.layers import Conv2D
from keras_zoo.utils.validation import check_positive_int

# PyTorch's BatchNorm2d defaults, which the paper's code and timm use
# (Keras' own are epsilon 1e-3 and momentum 0.99).
BATCH_NORM_EPSILON = 1e-5
BATCH_NORM_MOMENTUM = 0.9


def repvgg_kernel_initializer(groups=1):
    """timm's init for byobnet convs: N(0, 2 / fan_out) with fan_out =
    kh * kw * out_channels / groups (Keras' fan_out leaves out the groups)."""
    return keras.initializers.VarianceScaling(2.0 * groups, mode="fan_out", distribution="untruncated_normal")


@keras.saving.register_keras_serializable(package="keras_zoo")
class RepVGGBlock(keras.layers.Layer):
    """RepVGG block (Ding et al., CVPR 2021, Figure 2), channels-last.

    Train form: relu(bn(conv3x3(x)) + bn(conv1x1(x)) + bn(x)), the identity
    branch only where input and output match (stride 1, same width).
    Deploy form (`deploy=True`): relu(conv3x3(x) + bias), one convolution
    whose weights `fused_kernel_and_bias()` computes from the train form.

    Both forms pad symmetrically by one pixel (PyTorch's rule; Keras'
    "same" pads only at the end for stride 2).

    Args:
        filters: int, output channels.
        strides: 1 or 2.
        groups: int, groups of the 3x3 and 1x1 convolutions (g2 / g4 variants).
        deploy: bool, build the deploy form.
    """

    def __init__(self, filters, strides=1, groups=1, deploy=False, **kwargs):
        super().__init__(**kwargs)
        check_positive_int(filters=filters, groups=groups)
        if strides not in (1, 2):
            raise ValueError(f"`strides` must be 1 or 2. Received: strides={strides}")
        if filters % groups:
            raise ValueError(f"`filters` must be divisible by `groups`. Received: filters={filters}, groups={groups}")
        self.filters = filters
        self.strides = strides
        self.groups = groups
        self.deploy = deploy
        padding = "same" if strides == 1 else "valid"  # stride 2: padded in `call`

        def conv(kernel_size, use_bias, name, padding=padding):
            return Conv2D(
                filters, kernel_size, strides=strides, padding=padding, groups=groups, use_bias=use_bias,
                kernel_initializer=repvgg_kernel_initializer(groups), dtype=self.dtype_policy, name=name,
            )

        if deploy:
            self.reparam_conv = conv(3, True, "reparam_conv")
        else:
            self.conv_kxk = conv(3, False, "conv_kxk")
            self.norm_kxk = _batch_norm("norm_kxk", self.dtype_policy)
            self.conv_1x1 = conv(1, False, "conv_1x1", padding="valid")
            self.norm_1x1 = _batch_norm("norm_1x1", self.dtype_policy)
            self.identity = None  # known at build, from the input's width

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels is None or channels % self.groups:
            raise ValueError(
                f"RepVGGBlock(groups={self.groups}) needs a known channel count divisible by the groups. "
                f"Received: input_shape={input_shape}"
            )
        padded = self._padded_shape(input_shape)
        if self.deploy:
            self.reparam_conv.build(padded)
            return
        self.conv_kxk.build(padded)
        self.conv_1x1.build(input_shape)
        output_shape = self.compute_output_shape(input_shape)
        self.norm_kxk.build(output_shape)
        self.norm_1x1.build(output_shape)
        if self.has_identity(channels):
            self.identity = _batch_norm("identity", self.dtype_policy)
            self.identity.build(input_shape)

    def has_identity(self, channels):
        return channels == self.filters and self.strides == 1

    def _padded_shape(self, shape):
        if self.strides == 1:
            return shape
        return (shape[0],) + tuple(None if side is None else side + 2 for side in shape[1:3]) + (shape[3],)

    def _pad(self, inputs):
        return inputs if self.strides == 1 else ops.pad(inputs, ((0, 0), (1, 1), (1, 1), (0, 0)))

    def call(self, inputs, training=None):
        if self.deploy:
            return ops.relu(self.reparam_conv(self._pad(inputs)))
        x = self.norm_kxk(self.conv_kxk(self._pad(inputs)), training=training)
        x = x + self.norm_1x1(self.conv_1x1(inputs), training=training)
        if self.identity is not None:
            x = x + self.identity(inputs, training=training)
        return ops.relu(x)

    def compute_output_shape(self, input_shape):
        sides = tuple(None if side is None else (side - 1) // self.strides + 1 for side in input_shape[1:3])
        return (input_shape[0],) + sides + (self.filters,)

    def fused_kernel_and_bias(self):
        """The deploy form's (3, 3, C_in / groups, filters) kernel and (filters,)
        bias, in float64: each BatchNorm folded into its convolution, the 1x1
        kernel padded to 3x3, the identity written as a 3x3 kernel (timm's
        `RepVggBlock._get_kernel_bias`)."""
        if self.deploy:
            raise ValueError(f"The block '{self.name}' is already in deploy form.")
        kernel_3x3 = _as_float64(self.conv_kxk.kernel)
        kernel_1x1 = np.zeros_like(kernel_3x3)
        kernel_1x1[1:2, 1:2] = _as_float64(self.conv_1x1.kernel)
        branches = [(kernel_3x3, self.norm_kxk), (kernel_1x1, self.norm_1x1)]
        if self.identity is not None:
            kernel_identity = np.zeros_like(kernel_3x3)
            per_group = kernel_3x3.shape[2]
            channels = np.arange(self.filters)
            kernel_identity[1, 1, channels % per_group, channels] = 1.0
            branches.append((kernel_identity, self.identity))
        kernel = np.zeros_like(kernel_3x3)
        bias = np.zeros(self.filters)
        for branch_kernel, norm in branches:
            scale, shift = batch_norm_scale_and_shift(norm)
            kernel += branch_kernel * scale
            bias += shift
        return kernel, bias

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "strides": self.strides,
            "groups": self.groups,
            "deploy": self.deploy,
        }


def _batch_norm(name, dtype):
    return keras.layers.BatchNormalization(
        epsilon=BATCH_NORM_EPSILON, momentum=BATCH_NORM_MOMENTUM, dtype=dtype, name=name)


def batch_norm_scale_and_shift(norm):
    """BatchNorm in inference as y = x * scale + shift, in float64."""
    inverse_std = 1.0 / np.sqrt(_as_float64(norm.moving_variance) + norm.epsilon)
    scale = _as_float64(norm.gamma) * inverse_std
    return scale, _as_float64(norm.beta) - _as_float64(norm.moving_mean) * scale


def _as_float64(variable):
    return np.asarray(keras.ops.convert_to_numpy(variable.value), dtype=np.float64)
