import keras
from keras import ops

POOLINGS = ("avg", "max")


@keras.saving.register_keras_serializable(package="keras_zoo")
class PatchTokenPooling(keras.layers.Layer):
    """(B, prefix + N, C) tokens -> (B, C): the mean or max of the patch
    tokens, the leading `num_prefix_tokens` (a class token) left out, as
    timm's ViT `global_pool="avg"`.

    Args:
        pooling: "avg" or "max".
        num_prefix_tokens: int >= 0, the leading tokens that are no patches.
    """

    def __init__(self, pooling="avg", num_prefix_tokens=1, **kwargs):
        super().__init__(**kwargs)
        if pooling not in POOLINGS:
            raise ValueError(f"`pooling` must be one of {POOLINGS}. Received: pooling={pooling!r}")
        if isinstance(num_prefix_tokens, bool) or not isinstance(num_prefix_tokens, int) or num_prefix_tokens < 0:
            raise ValueError(f"`num_prefix_tokens` must be an int >= 0. Received: num_prefix_tokens={num_prefix_tokens!r}")
        self.pooling = pooling
        self.num_prefix_tokens = num_prefix_tokens
        self.built = True

    def call(self, tokens):
        patches = tokens[:, self.num_prefix_tokens:]  # (B, N, C)
        return ops.mean(patches, axis=1) if self.pooling == "avg" else ops.max(patches, axis=1)

    def compute_output_shape(self, tokens_shape):
        return (tokens_shape[0], tokens_shape[-1])

    def get_config(self):
        return {**super().get_config(), "pooling": self.pooling, "num_prefix_tokens": self.num_prefix_tokens}
