import keras
import numpy as np

from keras_zoo.layers import Conv2D
from keras_zoo.models.convnext.convnext_block import ConvNeXtBlock
from keras_zoo.models.convnext.convnext_block import convnext_kernel_initializer
from keras_zoo.models.convnext.convnext_layer_groups import convnext_layer_group_ids
from keras_zoo.models.image_model import ImageModel
from keras_zoo.models.image_model import validate_image_shape
from keras_zoo.utils.validation import check_rate


def drop_path_rates(depths, drop_path_rate):
    """Per-block stochastic depth, rising linearly from 0 to `drop_path_rate`
    over all blocks (the paper's code), split per stage."""
    rates = np.linspace(0.0, drop_path_rate, sum(depths)).tolist()
    starts = np.cumsum((0,) + tuple(depths))
    return [rates[starts[i] : starts[i + 1]] for i in range(len(depths))]


@keras.saving.register_keras_serializable(package="keras_zoo")
class ConvNeXtBackbone(ImageModel):
    """The ConvNeXt feature extractor: stem and four stages, no head.

    Liu et al., "A ConvNet for the 2020s", 2022. The outputs are the four
    stage feature maps, a dict `{"stage1": (B, H/4, W/4, dims[0]), ...,
    "stage4": (B, H/32, W/32, dims[3])}`, for detection or segmentation heads.

    Args:
        depths: four ints, blocks per stage.
        dims: four ints, channels per stage.
        input_shape: `(height, width, channels)`; sides may be None.
        drop_path_rate: float in [0, 1), stochastic depth of the last block.
        layer_scale_init_value: float, or None to disable layer scale.
        seed: optional int; block `i` seeds its stochastic depth with `seed + i`.
    """

    # Megatron-style (Shoeybi et al. 2019): the block MLP's expansion split by
    # output channel, its projection by input channel (each model shard owns
    # a slice of the 4C hidden units); downsampling convs by output channel.
    # Norms, depthwise kernels and the head are small: replicated.
    # Keys are matched against whole variable paths (`re.fullmatch`).
    model_parallel_layout = {
        r".*block\d+/pwconv1/kernel": (None, "model"),
        r".*block\d+/pwconv1/bias": ("model",),
        r".*block\d+/pwconv2/kernel": ("model", None),
        r".*downsample_conv/kernel": (None, None, None, "model"),
        r".*downsample_conv/bias": ("model",),
    }

    def __init__(
        self,
        depths,
        dims,
        input_shape=(None, None, 3),
        drop_path_rate=0.0,
        layer_scale_init_value=1e-6,
        seed=None,
        dtype=None,
        **kwargs,
    ):
        if len(depths) != 4 or len(dims) != 4:
            raise ValueError(
                f"`depths` and `dims` must each hold 4 values, one per stage. "
                f"Received: depths={depths}, dims={dims}"
            )
        check_rate(drop_path_rate=drop_path_rate)
        input_shape = validate_image_shape(input_shape)

        # === Layers and functional model ===
        images = keras.Input(shape=input_shape, name="images")
        x = Conv2D(
            dims[0], 4, strides=4, kernel_initializer=convnext_kernel_initializer(),
            dtype=dtype, name="stem_conv",
        )(images)
        x = keras.layers.LayerNormalization(epsilon=1e-6, dtype=dtype, name="stem_norm")(x)
        block_index = 0
        outputs = {}
        for stage, rates in enumerate(drop_path_rates(depths, drop_path_rate)):
            if stage > 0:
                x = keras.layers.LayerNormalization(
                    epsilon=1e-6, dtype=dtype, name=f"stage{stage + 1}_downsample_norm"
                )(x)
                x = Conv2D(
                    dims[stage], 2, strides=2,
                    kernel_initializer=convnext_kernel_initializer(),
                    dtype=dtype, name=f"stage{stage + 1}_downsample_conv",
                )(x)
            for block, rate in enumerate(rates):
                x = ConvNeXtBlock(
                    dims[stage],
                    drop_path_rate=rate,
                    layer_scale_init_value=layer_scale_init_value,
                    seed=None if seed is None else seed + block_index,
                    dtype=dtype,
                    name=f"stage{stage + 1}_block{block + 1}",
                )(x)
                block_index += 1
            outputs[f"stage{stage + 1}"] = x  # (B, H / 2^(stage+2), W / ..., dims[stage])
        super().__init__(inputs=images, outputs=outputs, dtype=dtype, **kwargs)

        # === Config ===
        self.feature_key = "stage4"  # what a classification head reads
        self.depths = tuple(depths)
        self.dims = tuple(dims)
        self.image_shape = input_shape
        self.drop_path_rate = drop_path_rate
        self.layer_scale_init_value = layer_scale_init_value
        self.seed = seed

    def layer_group_ids(self):
        """`{variable.path: group}` for layer-wise lr decay (stem 0 to stage 4, 12)."""
        return convnext_layer_group_ids(self.layers)

    def get_config(self):
        return {
            **super().get_config(),
            "depths": self.depths,
            "dims": self.dims,
            "input_shape": self.image_shape,
            "drop_path_rate": self.drop_path_rate,
            "layer_scale_init_value": self.layer_scale_init_value,
            "seed": self.seed,
        }
