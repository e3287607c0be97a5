import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_zoo")
class TokenGrid(keras.layers.Layer):
    """A ViT's patch tokens as a feature map, for dense heads:
    `call(tokens (B, prefix + h * w, C), patch_grid (B, h, w, any))` ->
    (B, h, w, C), the leading `num_prefix_tokens` dropped. The grid's size
    is read from `patch_grid` at run time (any image size).

    Args:
        num_prefix_tokens: int >= 0, the leading tokens that are no patches.
    """

    def __init__(self, num_prefix_tokens=1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(num_prefix_tokens, bool) or not isinstance(num_prefix_tokens, int) or num_prefix_tokens < 0:
            raise ValueError(f"`num_prefix_tokens` must be an int >= 0. Received: num_prefix_tokens={num_prefix_tokens!r}")
        self.num_prefix_tokens = num_prefix_tokens
        self.built = True

    def call(self, tokens, patch_grid):
        grid_shape = ops.shape(patch_grid)
        patches = tokens[:, self.num_prefix_tokens:]  # (B, h * w, C)
        return ops.reshape(patches, (grid_shape[0], grid_shape[1], grid_shape[2], tokens.shape[-1]))

    def compute_output_shape(self, tokens_shape, patch_grid_shape):
        return tuple(patch_grid_shape[:3]) + (tokens_shape[-1],)

    def get_config(self):
        return {**super().get_config(), "num_prefix_tokens": self.num_prefix_tokens}
