"""Loads ViT / DeiT weights: our own files, and PyTorch checkpoints in
timm's layout (timm, facebookresearch/deit) or Hugging Face's (`ViTModel`,
`ViTForImageClassification`), converted on load. A position table stored
for another grid is resampled to the model's (timm's `checkpoint_filter_fn`)."""

import re

import numpy as np

from keras_zoo.layers import resample_position_embedding
from keras_zoo.weights.state_assignment import assign_state
from keras_zoo.weights.state_assignment import renamed_key
from keras_zoo.weights.torch_layouts import conv_kernel
from keras_zoo.weights.torch_layouts import same
from keras_zoo.weights.transformer_block_state import dense_targets
from keras_zoo.weights.transformer_block_state import fused_qkv_block_targets
from keras_zoo.weights.transformer_block_state import layer_norm_targets
from keras_zoo.weights.weight_files import load_weights_file

_TIMM_PATCH_KEY = "patch_embed.proj.weight"
_HF_PATCH_KEY = "embeddings.patch_embeddings.projection.weight"


def load_vit_weights(model, path):
    """Loads `path` into a `ViT` or `ViTBackbone`."""
    return load_weights_file(model, path, assign_vit_state)


def assign_vit_state(model, state):
    """Assigns a timm- or Hugging Face-layout state dict ({key: np.ndarray})."""
    if any(key.startswith("vit.") for key in state):  # ViTForImageClassification
        state = {key[len("vit."):] if key.startswith("vit.") else key: value for key, value in state.items()}
    if _HF_PATCH_KEY in state:
        state = hugging_face_to_timm_keys(state)
    elif _TIMM_PATCH_KEY not in state:
        raise ValueError(
            f"Not a ViT checkpoint in timm's or Hugging Face's layout: no '{_TIMM_PATCH_KEY}' or "
            f"'{_HF_PATCH_KEY}'. First keys: {sorted(state)[:5]}"
        )
    assign_state(
        state, _timm_targets(model), classifier_prefix="head.",
        # A headless model may load a classifier checkpoint.
        optional_prefixes=("head.", "fc_norm."),
        # Hugging Face's ViTModel has a tanh pooler that timm's ViT and ours have not.
        ignored=("pooler.",),
        hint=" Does the variant match the checkpoint (depth, width, layer scale, global_pool)?",
    )
    return model


# Hugging Face's files (`save_pretrained`, the Hub) and, after them, the
# module names of transformers >= 5 (a `state_dict()` saved by hand).
_HF_RULES = (
    (r"^embeddings\.cls_token$", "cls_token"),
    (r"^embeddings\.position_embeddings$", "pos_embed"),
    (r"^embeddings\.patch_embeddings\.projection\.", "patch_embed.proj."),
    (r"^encoder\.layer\.(\d+)\.layernorm_before\.", r"blocks.\1.norm1."),
    (r"^encoder\.layer\.(\d+)\.attention\.output\.dense\.", r"blocks.\1.attn.proj."),
    (r"^encoder\.layer\.(\d+)\.layernorm_after\.", r"blocks.\1.norm2."),
    (r"^encoder\.layer\.(\d+)\.intermediate\.dense\.", r"blocks.\1.mlp.fc1."),
    (r"^encoder\.layer\.(\d+)\.output\.dense\.", r"blocks.\1.mlp.fc2."),
    (r"^layers\.(\d+)\.layernorm_before\.", r"blocks.\1.norm1."),
    (r"^layers\.(\d+)\.attention\.o_proj\.", r"blocks.\1.attn.proj."),
    (r"^layers\.(\d+)\.layernorm_after\.", r"blocks.\1.norm2."),
    (r"^layers\.(\d+)\.mlp\.(fc1|fc2)\.", r"blocks.\1.mlp.\2."),
    (r"^layernorm\.", "norm."),
    (r"^classifier\.", "head."),
)
_HF_QKV = re.compile(
    r"^(?:encoder\.layer\.(\d+)\.attention\.attention\.(query|key|value)"
    r"|layers\.(\d+)\.attention\.(q|k|v)_proj)\.(weight|bias)$")
_QKV_PARTS = {"q": "query", "k": "key", "v": "value"}


def hugging_face_to_timm_keys(state):
    """Renames Hugging Face ViT keys to timm's; fuses the query, key and
    value projections into timm's one `qkv` (rows q, then k, then v)."""
    renamed, qkv = {}, {}
    for key, value in state.items():
        match = _HF_QKV.match(key)
        if match:
            legacy_block, legacy_part, block, part, kind = match.groups()
            block, part = (legacy_block, legacy_part) if legacy_block is not None else (block, _QKV_PARTS[part])
            qkv.setdefault(f"blocks.{block}.attn.qkv.{kind}", {})[part] = value
            continue
        renamed[renamed_key(key, _HF_RULES)] = value
    for key, parts in qkv.items():
        if len(parts) != 3:
            missing = sorted({"query", "key", "value"} - set(parts))
            raise ValueError(f"The checkpoint's attention for '{key}' lacks its {', '.join(missing)} projection.")
        renamed[key] = np.concatenate([parts["query"], parts["key"], parts["value"]])
    return renamed


_BLOCK_NAMES = {"norm1": "norm1", "qkv": "attn.qkv", "proj": "attn.proj", "norm2": "norm2",
                "fc1": "mlp.fc1", "fc2": "mlp.fc2"}


def _timm_targets(model):
    """Yields (keras variable, timm key, conversion) in model order."""
    backbone = getattr(model, "backbone", model)
    width = backbone.hidden_dim
    patches = backbone.get_layer("patch_embedding").projection
    yield patches.kernel, "patch_embed.proj.weight", conv_kernel
    yield patches.bias, "patch_embed.proj.bias", same
    yield backbone.get_layer("class_token").tokens, "cls_token", lambda t: t.reshape(-1, width)
    positions = backbone.get_layer("position_embedding")
    yield positions.position_embeddings, "pos_embed", lambda table: _fit_positions(table, positions)
    for i in range(backbone.depth):
        block, key = backbone.get_layer(f"block{i + 1}"), f"blocks.{i}"
        yield from fused_qkv_block_targets(block, key, _BLOCK_NAMES)
        if block.layer_scale_init_value is not None:
            yield block.self_attention_layer_scale.gamma, f"{key}.ls1.gamma", same
            yield block.feed_forward_layer_scale.gamma, f"{key}.ls2.gamma", same
    if backbone.global_pool == "token":
        yield from layer_norm_targets(backbone.get_layer("norm"), "norm")
    head_layers = {layer.name: layer for layer in model.layers} if model is not backbone else {}
    if "head_norm" in head_layers:
        yield from layer_norm_targets(head_layers["head_norm"], "fc_norm")
    if "head_fc" in head_layers:
        yield from dense_targets(head_layers["head_fc"], "head")


def _fit_positions(table, layer):
    """timm's (1, T', d) table as ours (T, d), resampled when the grids differ."""
    table = table.reshape(table.shape[-2:])
    if table.shape[0] == layer.sequence_length:
        return table
    return resample_position_embedding(table, layer.grid_size, num_prefix_tokens=layer.num_prefix_tokens,
                                       antialias=layer.antialias)
