"""Loads RepVGG weights: our own files, and PyTorch checkpoints in timm's
layout (`byobnet.py`) or the official one (DingXiaoH/RepVGG, `repvgg.py`),
in the train form or the deploy form, converted on load."""

import os
import re

from keras_zoo.weights.state_assignment import assign_state
from keras_zoo.weights.torch_checkpoint import TORCH_CHECKPOINT_SUFFIXES
from keras_zoo.weights.torch_checkpoint import read_torch_state_dict
from keras_zoo.weights.torch_layouts import conv_kernel
from keras_zoo.weights.torch_layouts import linear_kernel
from keras_zoo.weights.torch_layouts import same
from keras_zoo.weights.weight_files import load_weights_file

_OFFICIAL_BRANCHES = {"rbr_dense": "conv_kxk", "rbr_1x1": "conv_1x1", "rbr_identity": "identity",
                      "rbr_reparam": "reparam_conv"}


def load_repvgg_weights(model, path):
    """Loads `path` into a `RepVGG` or `RepVGGBackbone` of the checkpoint's
    form (`deploy=True` for a deploy checkpoint)."""
    return load_weights_file(model, path, assign_repvgg_state)


def torch_checkpoint_is_deploy(path):
    """True for a PyTorch checkpoint in the deploy form (timm's `reparam_conv`,
    the official `rbr_reparam`); False for the train form and for our own
    files, whose form is the model's."""
    if not os.fspath(path).endswith(TORCH_CHECKPOINT_SUFFIXES):
        return False
    return _is_deploy(read_torch_state_dict(path))


def _is_deploy(state):
    return any(".reparam_conv." in key or ".rbr_reparam." in key for key in state)


def official_to_timm_keys(state):
    """Renames DingXiaoH/RepVGG keys (`stage0.rbr_dense.conv.weight`,
    `stage2.3.rbr_identity.running_mean`, `linear.weight`) to timm's."""
    renamed = {}
    for key, value in state.items():
        match = re.fullmatch(r"stage(\d)\.(?:(\d+)\.)?(rbr_\w+?)\.(.+)", key)
        if match:
            stage, block, branch, rest = match.groups()
            where = "stem" if stage == "0" else f"stages.{int(stage) - 1}.{block}"
            key = f"{where}.{_OFFICIAL_BRANCHES[branch]}.{rest}"
        elif key.startswith("linear."):
            key = "head.fc." + key[len("linear."):]
        renamed[key] = value
    return renamed


def _timm_targets(model):
    """Yields (keras variable, timm key, conversion) in model order."""
    backbone = getattr(model, "backbone", model)

    def norm(layer, key):
        yield layer.gamma, f"{key}.weight", same
        yield layer.beta, f"{key}.bias", same
        yield layer.moving_mean, f"{key}.running_mean", same
        yield layer.moving_variance, f"{key}.running_var", same

    keys = ["stem"] + [f"stages.{s}.{b}" for s, depth in enumerate(backbone.depths) for b in range(depth)]
    for block, key in zip(backbone.blocks, keys):
        if block.deploy:
            yield block.reparam_conv.kernel, f"{key}.reparam_conv.weight", conv_kernel
            yield block.reparam_conv.bias, f"{key}.reparam_conv.bias", same
            continue
        yield block.conv_kxk.kernel, f"{key}.conv_kxk.conv.weight", conv_kernel
        yield from norm(block.norm_kxk, f"{key}.conv_kxk.bn")
        yield block.conv_1x1.kernel, f"{key}.conv_1x1.conv.weight", conv_kernel
        yield from norm(block.norm_1x1, f"{key}.conv_1x1.bn")
        if block.identity is not None:
            yield from norm(block.identity, f"{key}.identity")
    if model is not backbone and model.include_top:
        head = model.get_layer("head_fc")
        yield head.kernel, "head.fc.weight", linear_kernel
        yield head.bias, "head.fc.bias", same


def assign_repvgg_state(model, state):
    """Assigns a timm- or official-layout state dict ({key: np.ndarray}); the
    checkpoint's form (train or deploy) must be the model's."""
    if "stage0.rbr_dense.conv.weight" in state or "stage0.rbr_reparam.weight" in state:
        state = official_to_timm_keys(state)
    backbone = getattr(model, "backbone", model)
    if _is_deploy(state) != backbone.deploy:
        forms = {True: "deploy", False: "train"}
        raise ValueError(
            f"The checkpoint is in the {forms[_is_deploy(state)]} form and the model '{model.name}' in the "
            f"{forms[backbone.deploy]} form. Build the model with deploy={_is_deploy(state)} "
            "(create_model does so from the checkpoint)."
        )
    assign_state(
        state, _timm_targets(model), classifier_prefix="head.fc.", optional_prefixes=("head.fc.",),
        ignored=("num_batches_tracked",),
        hint=" Does the variant match the checkpoint (depths, widths, groups)?",
    )
