import functools

from keras_zoo.models.convnext.convnext_backbone import ConvNeXtBackbone
from keras_zoo.models.convnext.convnext_classifier import ConvNeXt
from keras_zoo.models.image_classifier import ImageClassifier
from keras_zoo.models.convnext.convnext_variants import CONVNEXT_VARIANTS
from keras_zoo.models.convnext.convnext_weights import load_convnext_weights
from keras_zoo.registry import register_model
from keras_zoo.utils.arguments import keyword_arguments

_BACKBONE_ARGS = ("input_shape", "drop_path_rate", "layer_scale_init_value", "seed", "dtype", "name")


def build_convnext(variant, weights=None, features_only=False, **overrides):
    """Builds a registered ConvNeXt variant.

    Args:
        variant: a key of `CONVNEXT_VARIANTS`, e.g. "convnext_tiny".
        weights: optional path to a `.weights.h5` / `.keras` file of ours or a
            PyTorch checkpoint (`.pth`, `.bin`, `.safetensors`) in timm's or
            the official key layout.
        features_only: return the `ConvNeXtBackbone` (four stage maps).
        **overrides: `ConvNeXt` arguments (`num_classes`, `input_shape`, ...).
    """
    config = {**CONVNEXT_VARIANTS[variant], **overrides}
    if features_only:
        unknown = sorted(set(overrides) - set(_BACKBONE_ARGS) - {"depths", "dims"})
        if unknown:
            raise ValueError(
                f"With features_only=True, valid overrides are {_BACKBONE_ARGS}. "
                f"Received: {unknown}"
            )
        model = ConvNeXtBackbone(**{"name": variant, **config})
    else:
        model = ConvNeXt(**{"name": variant, **config})
    if weights is not None:
        load_convnext_weights(model, weights)
    return model


_ARGUMENTS = keyword_arguments(
    build_convnext, ConvNeXt.__init__, ImageClassifier.__init__, ConvNeXtBackbone.__init__,
    exclude=("variant", "backbone"))
for _name in CONVNEXT_VARIANTS:
    register_model(_name, functools.partial(build_convnext, _name), _ARGUMENTS,
                   model_parallel_layout=ConvNeXtBackbone.model_parallel_layout)
