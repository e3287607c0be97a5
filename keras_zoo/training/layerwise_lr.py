"""Moved: the optimizer side to `keras_zoo.optimizers.layerwise_lr`, ConvNeXt's
layer ids to `keras_zoo.models.convnext.convnext_layer_groups`. These names
keep working."""

from keras_zoo.models.convnext.convnext_layer_groups import CONVNEXT_NUM_LAYERS  # noqa: F401
from keras_zoo.models.convnext.convnext_layer_groups import convnext_layer_id  # noqa: F401
from keras_zoo.optimizers.layerwise_lr import layerwise_lr_multipliers
from keras_zoo.optimizers.layerwise_lr import with_layerwise_lr  # noqa: F401


def convnext_lr_multipliers(model, layer_decay):
    """`layerwise_lr_multipliers` of a `ConvNeXt` classifier (its head: group 13)."""
    return layerwise_lr_multipliers(model, layer_decay)
