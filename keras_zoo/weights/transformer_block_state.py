"""Checkpoint keys of the shared pre-norm `TransformerBlock` for the
families that store one fused query-key-value projection per block (timm's
ViT and DeiT, GPT-2): (keras variable, key, conversion) triples in model
order, for `assign_state`. Only the module names and the kernel layout
differ between them."""

from keras_zoo.weights.torch_layouts import linear_kernel
from keras_zoo.weights.torch_layouts import same


def layer_norm_targets(layer, key):
    yield layer.gamma, f"{key}.weight", same
    yield layer.beta, f"{key}.bias", same


def dense_targets(layer, key, part=None, input_major=False):
    """A Dense from `key`; `part` (index, parts) takes that share of a fused
    projection's outputs. `input_major`: the kernel is stored (in, out), as
    GPT-2's `Conv1D`, not (out, in) as torch's `Linear`."""
    outputs = slice(None) if part is None else slice(part[0] * layer.units, (part[0] + 1) * layer.units)
    kernel = (lambda w: w[:, outputs]) if input_major else (lambda w: linear_kernel(w[outputs]))
    yield layer.kernel, f"{key}.weight", kernel
    yield layer.bias, f"{key}.bias", lambda b: b[outputs]


def fused_qkv_block_targets(block, key, names, input_major=False):
    """`names` maps norm1, qkv, proj, norm2, fc1, fc2 to the checkpoint's
    module names under `key` (the block's prefix)."""
    attention, feed_forward = block.self_attention, block.feed_forward
    projections = (attention.query_dense, attention.key_dense, attention.value_dense)
    yield from layer_norm_targets(block.self_attention_norm, f"{key}.{names['norm1']}")
    for index, projection in enumerate(projections):
        yield from dense_targets(projection, f"{key}.{names['qkv']}", (index, 3), input_major)
    yield from dense_targets(attention.output_dense, f"{key}.{names['proj']}", input_major=input_major)
    yield from layer_norm_targets(block.feed_forward_norm, f"{key}.{names['norm2']}")
    yield from dense_targets(feed_forward.intermediate_dense, f"{key}.{names['fc1']}", input_major=input_major)
    yield from dense_targets(feed_forward.output_dense, f"{key}.{names['fc2']}", input_major=input_major)
