import keras

from keras_zoo.models.image_model import ImageModel
from keras_zoo.models.image_model import validate_image_shape
from keras_zoo.models.repvgg.repvgg_block import RepVGGBlock
from keras_zoo.models.repvgg.repvgg_variants import block_groups
from keras_zoo.utils.validation import check_positive_int


@keras.saving.register_keras_serializable(package="keras_zoo")
class RepVGGBackbone(ImageModel):
    """The RepVGG feature extractor (Ding et al., "RepVGG: Making VGG-style
    ConvNets Great Again", CVPR 2021): a stride-2 stem block and four stages
    of `RepVGGBlock`s, the first of each with stride 2; no head.

    The outputs are the four stage maps, `{"stage1": (B, H/4, W/4,
    widths[0]), ..., "stage4": (B, H/32, W/32, widths[3])}`.

    Args:
        depths: four ints, blocks per stage.
        widths: four ints, channels per stage.
        stem_width: int, channels of the stem block.
        groups: int, groups of every second block of each stage (1: none).
        input_shape: `(height, width, channels)`; sides may be None.
        deploy: bool; True builds the deploy form (one 3x3 conv with bias per
            block), which `keras_zoo.models.repvgg.reparameterize` fills
            from a train-form model.
        seed: optional int; seeds a classifier's dropout on top (the
            backbone itself draws nothing at random).
    """

    def __init__(
        self,
        depths,
        widths,
        stem_width=64,
        groups=1,
        input_shape=(None, None, 3),
        deploy=False,
        seed=None,
        dtype=None,
        **kwargs,
    ):
        if len(depths) != 4 or len(widths) != 4:
            raise ValueError(
                "`depths` and `widths` must each hold 4 values, one per stage. "
                f"Received: depths={depths}, widths={widths}"
            )
        check_positive_int(stem_width=stem_width, groups=groups)
        input_shape = validate_image_shape(input_shape)

        # === Layers and functional model ===
        images = keras.Input(shape=input_shape, name="images")
        x = RepVGGBlock(stem_width, strides=2, deploy=deploy, dtype=dtype, name="stem")(images)
        outputs = {}
        for stage, (depth, width) in enumerate(zip(depths, widths)):
            for block in range(depth):
                x = RepVGGBlock(
                    width,
                    strides=2 if block == 0 else 1,
                    groups=block_groups(block, groups),
                    deploy=deploy,
                    dtype=dtype,
                    name=f"stage{stage + 1}_block{block + 1}",
                )(x)
            outputs[f"stage{stage + 1}"] = x  # (B, H / 2^(stage+2), W / ..., widths[stage])
        super().__init__(inputs=images, outputs=outputs, dtype=dtype, **kwargs)

        # === Config ===
        self.feature_key = "stage4"  # what a classification head reads
        self.depths = tuple(depths)
        self.widths = tuple(widths)
        self.stem_width = stem_width
        self.groups = groups
        self.image_shape = input_shape
        self.deploy = deploy
        self.seed = seed

    @property
    def blocks(self):
        """The `RepVGGBlock`s, input to output."""
        return [layer for layer in self.layers if isinstance(layer, RepVGGBlock)]

    def get_config(self):
        return {
            **super().get_config(),
            "depths": self.depths,
            "widths": self.widths,
            "stem_width": self.stem_width,
            "groups": self.groups,
            "input_shape": self.image_shape,
            "deploy": self.deploy,
            "seed": self.seed,
        }
