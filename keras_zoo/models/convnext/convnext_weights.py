"""Loads ConvNeXt weights: our own files, and PyTorch checkpoints in timm's or
the official facebookresearch/ConvNeXt key layout, converted on load."""

from keras_zoo.weights.state_assignment import assign_state
from keras_zoo.weights.state_assignment import renamed_key
from keras_zoo.weights.torch_layouts import conv_kernel as _conv
from keras_zoo.weights.torch_layouts import depthwise_kernel as _depthwise
from keras_zoo.weights.torch_layouts import linear_kernel as _linear
from keras_zoo.weights.torch_layouts import same as _same
from keras_zoo.weights.weight_files import load_weights_file


def load_convnext_weights(model, path):
    """Loads `path` into a `ConvNeXt` or `ConvNeXtBackbone`."""
    return load_weights_file(model, path, _assign_torch_state)


def _assign_torch_state(model, state):
    if "downsample_layers.0.0.weight" in state:
        state = official_to_timm_keys(state)
    assign_timm_state(model, state)


def official_to_timm_keys(state):
    """Renames facebookresearch/ConvNeXt keys to timm's."""
    rules = (
        (r"^downsample_layers\.0\.", "stem."),
        (r"^downsample_layers\.(\d)\.", r"stages.\1.downsample."),
        (r"^stages\.(\d)\.(\d+)\.dwconv\.", r"stages.\1.blocks.\2.conv_dw."),
        (r"^stages\.(\d)\.(\d+)\.pwconv1\.", r"stages.\1.blocks.\2.mlp.fc1."),
        (r"^stages\.(\d)\.(\d+)\.pwconv2\.", r"stages.\1.blocks.\2.mlp.fc2."),
        (r"^stages\.(\d)\.(\d+)\.", r"stages.\1.blocks.\2."),
        (r"^norm\.", "head.norm."),
        (r"^head\.", "head.fc."),
    )
    return {renamed_key(key, rules): value for key, value in state.items()}


def _timm_targets(model):
    """Yields (keras variable, timm key, conversion) in model order."""
    backbone = getattr(model, "backbone", model)

    def norm(layer, key):
        yield layer.gamma, f"{key}.weight", _same
        yield layer.beta, f"{key}.bias", _same

    def dense(layer, key, convert):
        yield layer.kernel, f"{key}.weight", convert
        yield layer.bias, f"{key}.bias", _same

    yield from dense(backbone.get_layer("stem_conv"), "stem.0", _conv)
    yield from norm(backbone.get_layer("stem_norm"), "stem.1")
    for s, depth in enumerate(backbone.depths):
        prefix = f"stages.{s}"
        if s > 0:
            yield from norm(backbone.get_layer(f"stage{s + 1}_downsample_norm"), f"{prefix}.downsample.0")
            yield from dense(backbone.get_layer(f"stage{s + 1}_downsample_conv"), f"{prefix}.downsample.1", _conv)
        for b in range(depth):
            block = backbone.get_layer(f"stage{s + 1}_block{b + 1}")
            key = f"{prefix}.blocks.{b}"
            yield block.dwconv.kernel, f"{key}.conv_dw.weight", _depthwise
            yield block.dwconv.bias, f"{key}.conv_dw.bias", _same
            yield from norm(block.norm, f"{key}.norm")
            yield from dense(block.pwconv1, f"{key}.mlp.fc1", _linear)
            yield from dense(block.pwconv2, f"{key}.mlp.fc2", _linear)
            if hasattr(block.layer_scale, "gamma"):
                yield block.layer_scale.gamma, f"{key}.gamma", _same
    head_layers = {layer.name: layer for layer in model.layers} if model is not backbone else {}
    if "head_norm" in head_layers:
        yield from norm(head_layers["head_norm"], "head.norm")
    if "head_fc" in head_layers:
        yield from dense(head_layers["head_fc"], "head.fc", _linear)


def assign_timm_state(model, state):
    """Assigns a timm-layout state dict; any missing, surplus or misshapen
    tensor raises a ValueError that names it, before anything is assigned."""
    assign_state(
        state, _timm_targets(model), classifier_prefix="head.fc.",
        # A model without a head (or without the classifier) may load a classifier checkpoint.
        optional_prefixes=("head.norm.", "head.fc."), ignored=("num_batches_tracked",),
        hint=" Does the variant match the checkpoint (depths, dims, layer scale)?",
    )
