"""ConvNeXt's layer groups for layer-wise learning-rate decay: the official
fine-tuning code's rule (optim_factory.get_num_layer_for_convnext), which
splits the network into 12 groups below the head (group 13)."""

import re

CONVNEXT_NUM_LAYERS = 12


def convnext_layer_id(layer_name):
    """The paper's layer id of a ConvNeXt layer, from our layer names.

    Stem: 0; stages 1-2: their index; stage 3: 3 + block // 3 (three blocks
    a group); stage 4: 12; downsampling layers join the stage they feed;
    anything else (the head): 13.
    """
    if layer_name.startswith("stem_"):
        return 0
    match = re.fullmatch(r"stage(\d)_(downsample_\w+|block(\d+))", layer_name)
    if match is None:
        return CONVNEXT_NUM_LAYERS + 1
    stage = int(match.group(1)) - 1  # 0-based, as the official code
    if match.group(3) is None:  # a downsample layer
        return {1: 2, 2: 3, 3: CONVNEXT_NUM_LAYERS}[stage]
    block = int(match.group(3)) - 1
    if stage in (0, 1):
        return stage + 1
    if stage == 2:
        return 3 + block // 3
    return CONVNEXT_NUM_LAYERS


def convnext_layer_group_ids(layers):
    """`{variable.path: layer id}` for the trainable variables of `layers`."""
    return {variable.path: convnext_layer_id(layer.name) for layer in layers
            for variable in layer.trainable_variables}
