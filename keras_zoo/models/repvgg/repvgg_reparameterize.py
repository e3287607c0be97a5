"""The deploy form of a trained RepVGG: every block's three branches folded
into one 3x3 convolution (Ding et al., CVPR 2021, Section 3.3)."""

import keras
import numpy as np

from keras_zoo.models.repvgg.repvgg_backbone import RepVGGBackbone


def reparameterize(model, check_statistics=True):
    """Returns the deploy form of a train-form `RepVGG`, `RepVGGBackbone`, or
    `ImageClassifier` over one: a new model of the same class, config and
    dtype policy whose blocks are each one 3x3 convolution with bias, computed
    in float64 from the train form's weights, and the same head.

    The two give equal outputs in inference (`training=False`, what
    `predict` and `evaluate` use): the fold uses the BatchNorm moving
    statistics, not a batch's own.

    Args:
        model: a train-form model (`deploy=False`).
        check_statistics: raise where a BatchNorm still holds its initial
            statistics (mean 0, variance 1), i.e. the model was neither
            trained nor loaded: its deploy form would be built from
            placeholders. Pass False to fold such a model anyway (speed
            measurements).
    """
    backbone = getattr(model, "backbone", model)
    if not isinstance(backbone, RepVGGBackbone):
        raise ValueError(
            "`reparameterize` takes a RepVGG model or RepVGGBackbone. "
            f"Received: {type(model).__name__} '{model.name}'"
        )
    if backbone.deploy:
        raise ValueError(f"The model '{model.name}' is already in deploy form (deploy=True).")
    if check_statistics:
        _check_statistics_set(backbone)
    deployed = _deploy_twin(model, backbone)
    deployed_backbone = getattr(deployed, "backbone", deployed)
    for block, deployed_block in zip(backbone.blocks, deployed_backbone.blocks):
        kernel, bias = block.fused_kernel_and_bias()
        deployed_block.reparam_conv.kernel.assign(kernel.astype(deployed_block.reparam_conv.kernel.dtype))
        deployed_block.reparam_conv.bias.assign(bias.astype(deployed_block.reparam_conv.bias.dtype))
    for layer in model.layers:  # the head, if any
        if layer is not backbone and layer.weights:
            deployed.get_layer(layer.name).set_weights(layer.get_weights())
    return deployed


def _deploy_twin(model, backbone):
    """A new, deploy-form model with `model`'s architecture."""
    backbone_config = {**backbone.get_config(), "deploy": True}
    if model is backbone:
        return type(model).from_config(backbone_config)
    config = model.get_config()
    if "backbone" in config:  # an ImageClassifier given a backbone
        config["backbone"] = RepVGGBackbone.from_config(backbone_config)
    else:
        config["deploy"] = True
    return type(model).from_config(config)


def _check_statistics_set(backbone):
    for block in backbone.blocks:
        for norm in (block.norm_kxk, block.norm_1x1, block.identity):
            if norm is None:
                continue
            mean = keras.ops.convert_to_numpy(norm.moving_mean)
            variance = keras.ops.convert_to_numpy(norm.moving_variance)
            if not np.any(mean) and np.all(variance == 1):
                raise ValueError(
                    f"The BatchNorm '{block.name}/{norm.name}' holds its initial statistics (mean 0, variance 1): "
                    "the model was neither trained nor loaded, and its deploy form would fold placeholders. "
                    "Train or load it first, or pass check_statistics=False to fold it anyway."
                )
