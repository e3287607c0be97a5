import keras

from keras_zoo.backend.sublayer_call import sublayer_call
from keras_zoo.layers import Dense, DepthwiseConv2D, LayerScale, StochasticDepth
from keras_zoo.utils.validation import check_positive_int

# The paper's code draws weights from trunc_normal_(std=0.02) with absolute
# bounds [-2, 2], i.e. at +-100 std: in effect an untruncated normal. Keras'
# TruncatedNormal cuts at 2 std and would shrink the spread by 12%.
def convnext_kernel_initializer(scale=1.0):
    return keras.initializers.RandomNormal(stddev=0.02 * scale)


@keras.saving.register_keras_serializable(package="keras_zoo")
class ConvNeXtBlock(keras.layers.Layer):
    """ConvNeXt block (Liu et al., 2022, Figure 4), channels-last.

    x + drop_path(gamma * pwconv2(gelu(pwconv1(norm(dwconv7x7(x))))))

    Args:
        dim: int, number of input and output channels.
        drop_path_rate: float in [0, 1), stochastic depth of the branch.
        layer_scale_init_value: float or None; None disables layer scale.
        mlp_ratio: int, expansion of the pointwise MLP (4 in the paper).
        kernel_size: int, depthwise kernel size (7 in the paper).
        seed: optional int seed of the stochastic-depth generator.
    """

    def __init__(
        self,
        dim,
        drop_path_rate=0.0,
        layer_scale_init_value=1e-6,
        mlp_ratio=4,
        kernel_size=7,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        check_positive_int(dim=dim, mlp_ratio=mlp_ratio, kernel_size=kernel_size)
        self.dim = dim
        self.drop_path_rate = drop_path_rate
        self.layer_scale_init_value = layer_scale_init_value
        self.mlp_ratio = mlp_ratio
        self.kernel_size = kernel_size
        self.seed = seed

        # Computed natively or as shifted multiply-adds, per backend and device
        # (see DepthwiseConv2D); same variables as keras.layers.DepthwiseConv2D.
        self.dwconv = DepthwiseConv2D(
            kernel_size,
            padding="same",
            depthwise_initializer=convnext_kernel_initializer(),
            dtype=self.dtype_policy,
            name="dwconv",
        )
        self.norm = keras.layers.LayerNormalization(
            epsilon=1e-6, dtype=self.dtype_policy, name="norm"
        )
        self.pwconv1 = Dense(
            mlp_ratio * dim,
            activation="gelu",  # exact (erf) GELU, as torch.nn.GELU()
            kernel_initializer=convnext_kernel_initializer(),
            dtype=self.dtype_policy,
            name="pwconv1",
        )
        self.pwconv2 = Dense(
            dim,
            kernel_initializer=convnext_kernel_initializer(),
            dtype=self.dtype_policy,
            name="pwconv2",
        )
        # Disabled, layer scale and drop path are identities (the same variables
        # whatever the options); `call` skips the drop path's call at rate 0.
        self.layer_scale = (
            LayerScale(layer_scale_init_value, dtype=self.dtype_policy, name="layer_scale")
            if layer_scale_init_value
            else keras.layers.Identity(dtype=self.dtype_policy, name="layer_scale")
        )
        self.drop_path = (
            StochasticDepth(drop_path_rate, seed=seed, dtype=self.dtype_policy, name="drop_path")
            if drop_path_rate
            else keras.layers.Identity(dtype=self.dtype_policy, name="drop_path")
        )

    def build(self, input_shape):
        if input_shape[-1] != self.dim:
            raise ValueError(
                f"ConvNeXtBlock(dim={self.dim}) expects {self.dim} channels on the "
                f"last axis. Received: input_shape={input_shape}"
            )
        hidden_shape = tuple(input_shape[:-1]) + (self.mlp_ratio * self.dim,)
        self.dwconv.build(input_shape)
        self.norm.build(input_shape)
        self.pwconv1.build(input_shape)
        self.pwconv2.build(hidden_shape)
        self.layer_scale.build(input_shape)
        self.drop_path.build(input_shape)

    def call(self, inputs, training=None):
        # One line per sublayer. sublayer_call is layer(x) without Keras'
        # per-call bookkeeping on PyTorch (keras_zoo/backend/sublayer_call.py).
        x = sublayer_call(self.dwconv, inputs)  # (B, H, W, C), 7x7 depthwise
        x = sublayer_call(self.norm, x)  # (B, H, W, C), LayerNorm over C
        x = sublayer_call(self.pwconv1, x)  # (B, H, W, 4C), exact GELU
        x = sublayer_call(self.pwconv2, x)  # (B, H, W, C)
        x = sublayer_call(self.layer_scale, x)  # gamma * x
        if self.drop_path_rate:
            x = self.drop_path(x, training=training)  # whole samples dropped in training
        return inputs + x

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "dim": self.dim,
            "drop_path_rate": self.drop_path_rate,
            "layer_scale_init_value": self.layer_scale_init_value,
            "mlp_ratio": self.mlp_ratio,
            "kernel_size": self.kernel_size,
            "seed": self.seed,
        }
