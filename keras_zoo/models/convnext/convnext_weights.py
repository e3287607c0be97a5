"""Loads ConvNeXt weights: our own files, and PyTorch checkpoints in timm's or
the official facebookresearch/ConvNeXt key layout, converted on load."""

import os
import re
import warnings

import numpy as np

from keras_zoo.weights import read_torch_state_dict
from keras_zoo.weights.torch_checkpoint import TORCH_CHECKPOINT_SUFFIXES

KERAS_SUFFIXES = (".weights.h5", ".keras")


def load_convnext_weights(model, path):
    """Loads `path` into a `ConvNeXt` or `ConvNeXtBackbone`."""
    path = os.fspath(path)
    if path.endswith(KERAS_SUFFIXES):
        model.load_weights(path)
        return model
    if not path.endswith(TORCH_CHECKPOINT_SUFFIXES):
        raise ValueError(
            f"Unknown weights file '{path}'. Valid endings: "
            f"{', '.join(KERAS_SUFFIXES + TORCH_CHECKPOINT_SUFFIXES)}"
        )
    state = read_torch_state_dict(path)
    if "downsample_layers.0.0.weight" in state:
        state = official_to_timm_keys(state)
    assign_timm_state(model, state)
    return model


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
    renamed = {}
    for key, value in state.items():
        for pattern, replacement in rules:
            new_key, count = re.subn(pattern, replacement, key)
            if count:
                key = new_key
                break
        renamed[key] = value
    return renamed


# torch layouts -> keras layouts.
def _conv(w):  # (out, in, kh, kw) -> (kh, kw, in, out)
    return np.transpose(w, (2, 3, 1, 0))


def _depthwise(w):  # (C, 1, kh, kw) -> (kh, kw, C, 1)
    return np.transpose(w, (2, 3, 0, 1))


def _linear(w):  # (out, in) or a 1x1 conv's (out, in, 1, 1) -> (in, out)
    return w.reshape(w.shape[0], -1).T


def _same(w):
    return w


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


def _only_classes_differ(checkpoint_shape, model_shape):
    """(in, classes) shapes, or (classes,) biases, that differ in classes only."""
    return (len(checkpoint_shape) == len(model_shape)
            and tuple(checkpoint_shape[:-1]) == tuple(model_shape[:-1])
            and checkpoint_shape[-1] != model_shape[-1])


def assign_timm_state(model, state):
    """Assigns a timm-layout state dict; any missing, surplus or misshapen
    tensor raises a ValueError that names it, before anything is assigned."""
    updates = []
    used = set()
    for variable, key, convert in _timm_targets(model):
        if key not in state:
            raise ValueError(
                f"The checkpoint has no tensor '{key}' for model variable "
                f"'{variable.path}' {tuple(variable.shape)}."
            )
        value = convert(state[key])
        if key.startswith("head.fc.") and _only_classes_differ(value.shape, variable.shape):
            # Fine-tuning to new classes (timm's `num_classes=`): the
            # classifier keeps its initialisation; everything else loads.
            warnings.warn(
                f"Checkpoint classifier '{key}' {tuple(value.shape)} has "
                f"{value.shape[-1]} classes, the model {variable.shape[-1]}: "
                "the classifier keeps its initialisation.", stacklevel=3)
            used.add(key)
            continue
        if tuple(value.shape) != tuple(variable.shape):
            raise ValueError(
                f"Checkpoint tensor '{key}' of shape {tuple(state[key].shape)} "
                f"(converted: {tuple(value.shape)}) does not fit model variable "
                f"'{variable.path}' of shape {tuple(variable.shape)}."
            )
        updates.append((variable, value))
        used.add(key)
    # A model without a head (or without the classifier) may load a
    # classifier checkpoint: the head tensors it lacks are not surplus.
    ignorable = tuple(prefix for prefix in ("head.norm.", "head.fc.")
                      if not any(k.startswith(prefix) for k in used))
    surplus = [
        key for key in state
        if key not in used and not key.endswith("num_batches_tracked")
        and not key.startswith(ignorable)
    ]
    if surplus:
        raise ValueError(
            f"The checkpoint has {len(surplus)} tensors this model does not use, "
            f"first '{surplus[0]}' {tuple(state[surplus[0]].shape)}. Does the "
            f"variant match the checkpoint (depths, dims, layer scale)?"
        )
    for variable, value in updates:
        variable.assign(value.astype(variable.dtype))
