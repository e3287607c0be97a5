import keras

from keras_zoo.models.convnext.convnext_backbone import ConvNeXtBackbone
from keras_zoo.models.convnext.convnext_block import convnext_kernel_initializer
from keras_zoo.models.convnext.convnext_layer_groups import convnext_layer_group_ids
from keras_zoo.models.image_model import ImageModel

_POOLINGS = (None, "avg", "max")


@keras.saving.register_keras_serializable(package="keras_zoo")
class ConvNeXt(ImageModel):
    """ConvNeXt image classifier (Liu et al., "A ConvNet for the 2020s", 2022).

    `ConvNeXtBackbone`, then global average pooling, LayerNorm and a dense
    classifier. Logits come out float32 under mixed precision.

    Args:
        depths, dims, drop_path_rate, layer_scale_init_value, seed: as
            `ConvNeXtBackbone`.
        num_classes: int, the classifier's output size.
        input_shape: `(height, width, channels)`, any size from 32x32 up.
        include_top: bool; False drops the classifier and returns features.
        pooling: with `include_top=False`: None returns the last feature map
            `(B, H/32, W/32, dims[3])`; "avg" or "max" pools it and applies
            the head LayerNorm, giving `(B, dims[3])` as timm's pre-logits.
        head_init_scale: float, scales the classifier's initial weights.
        classifier_activation: None (logits) or an activation such as "softmax".
    """

    def __init__(
        self,
        depths,
        dims,
        num_classes=1000,
        input_shape=(224, 224, 3),
        include_top=True,
        pooling=None,
        drop_path_rate=0.0,
        layer_scale_init_value=1e-6,
        head_init_scale=1.0,
        classifier_activation=None,
        seed=None,
        dtype=None,
        **kwargs,
    ):
        if include_top and (not isinstance(num_classes, int) or num_classes < 1):
            raise ValueError(
                f"`num_classes` must be a positive int. Received: num_classes={num_classes}"
            )
        if pooling not in _POOLINGS:
            raise ValueError(
                f"`pooling` must be one of {_POOLINGS}. Received: pooling={pooling!r}"
            )

        # === Layers ===
        backbone = ConvNeXtBackbone(
            depths, dims, input_shape=input_shape, drop_path_rate=drop_path_rate,
            layer_scale_init_value=layer_scale_init_value, seed=seed, dtype=dtype,
            name="backbone",
        )
        policy = keras.dtype_policies.get(dtype) if dtype else keras.config.dtype_policy()
        # Logits in float32 when the body computes in a half type.
        head_dtype = "float32" if policy.compute_dtype in ("float16", "bfloat16") else policy

        # === Functional model ===
        images = keras.Input(shape=backbone.image_shape, name="images")
        x = backbone(images)["stage4"]  # (B, H/32, W/32, dims[3])
        if include_top or pooling is not None:
            if pooling == "max" and not include_top:
                x = keras.layers.GlobalMaxPooling2D(dtype=dtype, name="head_pool")(x)
            else:
                x = keras.layers.GlobalAveragePooling2D(dtype=dtype, name="head_pool")(x)
            x = keras.layers.LayerNormalization(epsilon=1e-6, dtype=dtype, name="head_norm")(x)
        if include_top:
            x = keras.layers.Dense(
                num_classes,
                activation=classifier_activation,
                kernel_initializer=convnext_kernel_initializer(head_init_scale),
                dtype=head_dtype,
                name="head_fc",
            )(x)
        super().__init__(inputs=images, outputs=x, dtype=dtype, **kwargs)

        # === Config ===
        self.backbone = backbone
        self.depths = tuple(depths)
        self.dims = tuple(dims)
        self.num_classes = num_classes
        self.image_shape = backbone.image_shape
        self.include_top = include_top
        self.pooling = pooling
        self.drop_path_rate = drop_path_rate
        self.layer_scale_init_value = layer_scale_init_value
        self.head_init_scale = head_init_scale
        self.classifier_activation = classifier_activation
        self.seed = seed

    def layer_group_ids(self):
        """`{variable.path: group}` for layer-wise lr decay: the official
        fine-tuning rule's 12 groups, stem 0 to stage 4, the head 13."""
        return convnext_layer_group_ids(list(self.backbone.layers) + [l for l in self.layers if l is not self.backbone])

    def get_config(self):
        return {
            **super().get_config(),
            "depths": self.depths,
            "dims": self.dims,
            "num_classes": self.num_classes,
            "input_shape": self.image_shape,
            "include_top": self.include_top,
            "pooling": self.pooling,
            "drop_path_rate": self.drop_path_rate,
            "layer_scale_init_value": self.layer_scale_init_value,
            "head_init_scale": self.head_init_scale,
            "classifier_activation": self.classifier_activation,
            "seed": self.seed,
        }
