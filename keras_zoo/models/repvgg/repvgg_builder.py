import functools

from keras_zoo.models.image_classifier import ImageClassifier
from keras_zoo.models.repvgg.repvgg_backbone import RepVGGBackbone
from keras_zoo.models.repvgg.repvgg_classifier import RepVGG
from keras_zoo.models.repvgg.repvgg_variants import REPVGG_VARIANTS
from keras_zoo.registry import register_model
from keras_zoo.utils.arguments import keyword_arguments


def build_repvgg(variant, weights=None, features_only=False, **overrides):
    """Builds a registered RepVGG variant.

    Args:
        variant: a key of `REPVGG_VARIANTS`, e.g. "repvgg_a0".
        weights: optional path to a `.weights.h5` / `.keras` file of ours, or
            a PyTorch checkpoint in timm's or the official (DingXiaoH/RepVGG)
            layout, train or deploy form; a deploy checkpoint builds the
            deploy model.
        features_only: return the `RepVGGBackbone` (four stage maps).
        **overrides: `RepVGG` arguments (`num_classes`, `input_shape`,
            `deploy`, ...).
    """
    from keras_zoo.models.repvgg.repvgg_weights import load_repvgg_weights
    from keras_zoo.models.repvgg.repvgg_weights import torch_checkpoint_is_deploy

    config = {**REPVGG_VARIANTS[variant], **overrides}
    if weights is not None and "deploy" not in overrides:
        config["deploy"] = torch_checkpoint_is_deploy(weights)
    if features_only:
        unknown = sorted(set(config) - set(_BACKBONE_ARGS))
        if unknown:
            raise ValueError(f"With features_only=True, valid overrides are {_BACKBONE_ARGS}. Received: {unknown}")
        model = RepVGGBackbone(**{"name": variant, **config})
    else:
        model = RepVGG(**{"name": variant, **config})
    if weights is not None:
        load_repvgg_weights(model, weights)
    return model


_BACKBONE_ARGS = keyword_arguments(RepVGGBackbone.__init__)
_ARGUMENTS = keyword_arguments(
    build_repvgg, RepVGG.__init__, ImageClassifier.__init__, RepVGGBackbone.__init__, exclude=("variant", "backbone"))
for _name in REPVGG_VARIANTS:
    register_model(_name, functools.partial(build_repvgg, _name), _ARGUMENTS)
