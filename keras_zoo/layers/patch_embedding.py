import keras
from keras import ops

from keras_zoo.layers.conv2d import Conv2D


def _patch_pair(patch_size):
    pair = (patch_size, patch_size) if isinstance(patch_size, int) else patch_size
    if (not isinstance(pair, (tuple, list)) or len(pair) != 2
            or not all(isinstance(n, int) and n > 0 for n in pair)):
        raise ValueError(
            "`patch_size` must be a positive int or a pair (height, width) of positive ints. "
            f"Received: patch_size={patch_size}"
        )
    return tuple(pair)


@keras.saving.register_keras_serializable(package="keras_zoo")
class PatchEmbedding(keras.layers.Layer):
    """Splits images into non-overlapping patches and projects each linearly
    (ViT, Dosovitskiy et al., 2021, eq. 1; Swin's patch partition): one
    convolution whose kernel and stride are the patch size, as timm's
    `PatchEmbed`.

    Channels-last images (B, H, W, C) -> (B, H/p * W/p, hidden_dim) patches
    in row-major order (`flatten=True`) or (B, H/p, W/p, hidden_dim).

    Args:
        hidden_dim: int, the width of each patch's vector.
        patch_size: int or (height, width), the patch's size in pixels.
        kernel_initializer: initializer of the projection; lecun_normal is
            the original ViT's (flax `nn.Conv`'s default).
        use_bias: bool, a bias in the projection.
        flatten: bool, whether to flatten the patch grid into a sequence.
    """

    def __init__(self, hidden_dim, patch_size, kernel_initializer="lecun_normal", use_bias=True,
                 flatten=True, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(hidden_dim, int) or hidden_dim <= 0:
            raise ValueError(f"`hidden_dim` must be a positive int. Received: hidden_dim={hidden_dim}")
        self.hidden_dim = hidden_dim
        self.patch_size = _patch_pair(patch_size)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.use_bias = use_bias
        self.flatten = flatten
        self.projection = Conv2D(
            hidden_dim, self.patch_size, strides=self.patch_size, padding="valid",
            data_format="channels_last", use_bias=use_bias,
            kernel_initializer=keras.initializers.get(keras.initializers.serialize(self.kernel_initializer)),
            dtype=self.dtype_policy, name="projection",
        )

    def _grid(self, input_shape):
        """(H/p, W/p), None where unknown; checks that patches tile the image."""
        if len(input_shape) != 4:
            raise ValueError(f"Expected channels-last images (B, H, W, C). Received: input_shape={input_shape}")
        grid = []
        for axis, size, patch in (("height", input_shape[1], self.patch_size[0]),
                                  ("width", input_shape[2], self.patch_size[1])):
            if size is not None and size % patch:
                raise ValueError(
                    f"The image {axis} must be a multiple of the patch size. "
                    f"Received: input_shape={input_shape}, patch_size={self.patch_size}"
                )
            grid.append(None if size is None else size // patch)
        return tuple(grid)

    def build(self, input_shape):
        self._grid(input_shape)
        self.projection.build(input_shape)

    def call(self, images):
        x = self.projection(images)  # (B, H/p, W/p, hidden_dim)
        if self.flatten:
            x = ops.reshape(x, (ops.shape(x)[0], -1, self.hidden_dim))  # (B, H/p * W/p, hidden_dim)
        return x

    def compute_output_shape(self, input_shape):
        height, width = self._grid(input_shape)
        if self.flatten:
            patches = None if height is None or width is None else height * width
            return (input_shape[0], patches, self.hidden_dim)
        return (input_shape[0], height, width, self.hidden_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "hidden_dim": self.hidden_dim,
            "patch_size": self.patch_size,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "use_bias": self.use_bias,
            "flatten": self.flatten,
        }
