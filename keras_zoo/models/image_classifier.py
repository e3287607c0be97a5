"""An image classification head over any keras_zoo image backbone."""

import keras

from keras_zoo.layers import ClassTokenPooling
from keras_zoo.layers import PatchTokenPooling
from keras_zoo.models.backbone import FunctionalModel, deserialize_dtype, model_config
from keras_zoo.models.image_model import check_image_batch

POOLINGS = (None, "avg", "max", "token")
_MODEL_KEYWORDS = ("name", "trainable")


@keras.saving.register_keras_serializable(package="keras_zoo")
class ImageClassifier(FunctionalModel):
    """Backbone, pooling, optional LayerNorm and dropout, dense classifier.

    Give it a built backbone (`ImageClassifier(backbone, num_classes=10)`),
    or, in a family's subclass that names its `backbone_class`, the
    backbone's own arguments (`ConvNeXt(depths=..., dims=..., ...)`): the
    subclass then saves them flat in its config, as one model.

    Args:
        backbone: a `Backbone` whose output (or `output[backbone.feature_key]`)
            is a feature map (B, H, W, C) or tokens (B, N, C).
        num_classes: int, the classifier's output size.
        include_top: bool; False drops the classifier and returns features.
        pooling: how features become one vector: "avg", "max", "token" (the
            first token, ViT's class token) or None. On tokens, "avg" and
            "max" leave out the backbone's `num_prefix_tokens` (timm's rule). With `include_top` the
            family's own pooling (`head_pooling`) is used; without it, None
            returns the backbone's features unpooled.
        head_norm_epsilon: None, or the epsilon of a LayerNorm after pooling.
        dropout: float in [0, 1), dropout before the classifier.
        head_init_scale: float, scales the classifier's initial weights.
        classifier_activation: None (logits) or an activation such as "softmax".
        dtype: the dtype policy; logits come out float32 under mixed precision.
    """

    backbone_class = None  # a family's subclass: the backbone its arguments build
    head_pooling = "avg"  # the pooling in front of the classifier

    def __init__(
        self,
        backbone=None,
        num_classes=1000,
        include_top=True,
        pooling=None,
        head_norm_epsilon=None,
        dropout=0.0,
        head_init_scale=1.0,
        classifier_activation=None,
        dtype=None,
        **kwargs,
    ):
        backbone_arguments = {k: kwargs.pop(k) for k in list(kwargs) if k not in _MODEL_KEYWORDS}
        if include_top and (not isinstance(num_classes, int) or num_classes < 1):
            raise ValueError(f"`num_classes` must be a positive int. Received: num_classes={num_classes}")
        if pooling not in POOLINGS:
            raise ValueError(f"`pooling` must be one of {POOLINGS}. Received: pooling={pooling!r}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"`dropout` must be in [0, 1). Received: dropout={dropout}")
        flat = backbone is None and self.backbone_class is not None
        backbone = self._backbone(backbone, backbone_arguments, dtype)
        if dtype is None:
            dtype = backbone.dtype_policy
        policy = keras.dtype_policies.get(dtype)
        # Logits in float32 when the body computes in a half type.
        head_dtype = "float32" if policy.compute_dtype in ("float16", "bfloat16") else policy

        # === Functional model ===
        images = keras.Input(shape=backbone.image_shape, name="images")
        x = backbone(images)
        if isinstance(x, dict):
            x = x[backbone.feature_key]  # (B, H, W, C) or (B, N, C)
        # A backbone may say how a classifier pools it (ViT's `global_pool`).
        head_pooling = getattr(backbone, "head_pooling", self.head_pooling) if include_top else pooling
        if head_pooling is not None:
            x = _pool(x, head_pooling, dtype, getattr(backbone, "num_prefix_tokens", 0))  # (B, C)
            if head_norm_epsilon is not None:
                x = keras.layers.LayerNormalization(epsilon=head_norm_epsilon, dtype=dtype, name="head_norm")(x)
        if include_top:
            if dropout:
                seed = getattr(backbone, "seed", None)
                x = keras.layers.Dropout(
                    dropout, seed=None if seed is None else seed + 10_000, dtype=dtype, name="head_dropout")(x)
            x = keras.layers.Dense(
                num_classes,
                activation=classifier_activation,
                kernel_initializer=self.head_kernel_initializer(head_init_scale),
                dtype=head_dtype,
                name="head_fc",
            )(x)
        super().__init__(inputs=images, outputs=x, dtype=dtype, **kwargs)

        # === Config ===
        self.backbone = backbone
        self.image_shape = backbone.image_shape
        self.num_classes = num_classes
        self.include_top = include_top
        self.pooling = pooling
        self.head_norm_epsilon = head_norm_epsilon
        self.dropout = dropout
        self.head_init_scale = head_init_scale
        self.classifier_activation = classifier_activation
        self._flat_backbone = flat

    def _backbone(self, backbone, arguments, dtype):
        if backbone is None and self.backbone_class is not None:
            return self.backbone_class(**arguments, dtype=dtype, name="backbone")
        if arguments:
            raise ValueError(
                f"{type(self).__name__} takes a backbone, not its arguments. "
                f"Received: {', '.join(sorted(arguments))}"
            )
        if isinstance(backbone, dict):
            backbone = keras.saving.deserialize_keras_object(backbone)
        if not isinstance(backbone, keras.Model) or not hasattr(backbone, "image_shape"):
            raise ValueError(
                "`backbone` must be a keras_zoo image backbone (a keras.Model with `image_shape`). "
                f"Received: {backbone!r}"
            )
        return backbone

    def head_kernel_initializer(self, scale):
        """The classifier's kernel initializer: N(0, 0.02 * scale)."""
        return keras.initializers.RandomNormal(stddev=0.02 * scale)

    def __call__(self, inputs, *args, **kwargs):
        check_image_batch(inputs.shape, self.image_shape[-1])
        return super().__call__(inputs, *args, **kwargs)

    def layer_group_ids(self):
        """The backbone's layer groups, and the head's layers one group above
        them (for layer-wise learning-rate decay)."""
        group_ids = getattr(self.backbone, "layer_group_ids", None)
        if group_ids is None:
            raise ValueError(
                f"The backbone {type(self.backbone).__name__} '{self.backbone.name}' has no layer groups "
                "(no `layer_group_ids()`), so layer-wise learning-rate decay cannot apply; use layer_decay=1.0."
            )
        ids = dict(group_ids())
        # A backbone may name the head's group (ViT: with its final norm, as MAE's rule).
        head = getattr(self.backbone, "head_layer_group", None) or max(ids.values()) + 1
        for layer in self.layers:
            if layer is not self.backbone:
                ids.update({variable.path: head for variable in layer.trainable_variables})
        return ids

    def get_config(self):
        config = {
            **model_config(self),
            "num_classes": self.num_classes,
            "include_top": self.include_top,
            "pooling": self.pooling,
            "head_norm_epsilon": self.head_norm_epsilon,
            "dropout": self.dropout,
            "head_init_scale": self.head_init_scale,
            "classifier_activation": self.classifier_activation,
        }
        if not self._flat_backbone:
            return {**config, "backbone": keras.saving.serialize_keras_object(self.backbone)}
        arguments = {k: v for k, v in self.backbone.get_config().items() if k not in ("name", "trainable", "dtype")}
        return {**config, **arguments}

    @classmethod
    def from_config(cls, config):
        return cls(**deserialize_dtype(config))


def _pool(x, pooling, dtype, num_prefix_tokens=0):
    if pooling == "token":
        return ClassTokenPooling(dtype=dtype, name="head_pool")(x)
    spatial = len(x.shape) == 4
    if not spatial and num_prefix_tokens:  # timm: the patch tokens only, the class token left out
        return PatchTokenPooling(pooling, num_prefix_tokens, dtype=dtype, name="head_pool")(x)
    layer = {
        ("avg", True): keras.layers.GlobalAveragePooling2D,
        ("max", True): keras.layers.GlobalMaxPooling2D,
        ("avg", False): keras.layers.GlobalAveragePooling1D,
        ("max", False): keras.layers.GlobalMaxPooling1D,
    }[pooling, spatial]
    return layer(dtype=dtype, name="head_pool")(x)
