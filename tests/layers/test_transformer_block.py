"""TransformerBlock: the block ViT, BERT, GPT and the Transformer share."""

import functools

import keras
import numpy as np
import pytest
import torch
from timm.models.vision_transformer import Block

from keras_zoo.layers import TransformerBlock
from keras_zoo.testing.layer_checks import check_layer

B, T, S, WIDTH, HEADS = 3, 7, 5, 16, 4


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


def _tokens(length=T, seed=0, batch=B):
    return np.random.default_rng(seed).normal(size=(batch, length, WIDTH)).astype("float32")


@pytest.mark.parametrize("options", [
    dict(normalize_first=True, layer_scale_init_value=0.1, drop_path_rate=0.2, causal=True),
    dict(normalize_first=False),
])
def test_layer_checks(options, tmp_path):
    make = functools.partial(TransformerBlock, 32, HEADS, dropout=0.0, seed=1, **options)
    check_layer(lambda **kw: make(**kw), (B, T, WIDTH), str(tmp_path))


def _timm_block_into_ours(timm_block, block):
    """Copies timm's ViT Block (pre-norm, fused qkv, layer scale, GELU MLP) into ours."""
    w = {name: p.detach().numpy().astype("float32") for name, p in timm_block.named_parameters()}
    qkv_w, qkv_b = np.split(w["attn.qkv.weight"], 3), np.split(w["attn.qkv.bias"], 3)
    attention = block.self_attention
    for i, dense in enumerate((attention.query_dense, attention.key_dense, attention.value_dense)):
        dense.kernel.assign(qkv_w[i].T)
        dense.bias.assign(qkv_b[i])
    attention.output_dense.kernel.assign(w["attn.proj.weight"].T)
    attention.output_dense.bias.assign(w["attn.proj.bias"])
    for ours, theirs in (("self_attention", "1"), ("feed_forward", "2")):
        getattr(block, f"{ours}_norm").gamma.assign(w[f"norm{theirs}.weight"])
        getattr(block, f"{ours}_norm").beta.assign(w[f"norm{theirs}.bias"])
        getattr(block, f"{ours}_layer_scale").gamma.assign(w[f"ls{theirs}.gamma"])
    mlp = {v.path.split("/")[-2] + "/" + v.path.split("/")[-1]: v for v in block.feed_forward.weights}
    mlp["intermediate/kernel"].assign(w["mlp.fc1.weight"].T)
    mlp["intermediate/bias"].assign(w["mlp.fc1.bias"])
    mlp["output/kernel"].assign(w["mlp.fc2.weight"].T)
    mlp["output/bias"].assign(w["mlp.fc2.bias"])


def test_pre_norm_with_layer_scale_matches_timm_vit_block():
    torch.manual_seed(0)
    timm_block = Block(WIDTH, HEADS, mlp_ratio=4.0, qkv_bias=True, init_values=0.1,
                       norm_layer=functools.partial(torch.nn.LayerNorm, eps=1e-6)).eval()
    with torch.no_grad():
        for p in timm_block.parameters():  # default inits (ones, zeros) hide mapping errors
            p.add_(torch.randn_like(p) * 0.3)
    block = TransformerBlock(4 * WIDTH, HEADS, dropout=0.0, activation="gelu", normalize_first=True,
                             layer_norm_epsilon=1e-6, layer_scale_init_value=0.1, drop_path_rate=0.1)
    x = _tokens()
    block(x)
    _timm_block_into_ours(timm_block, block)
    expected = timm_block(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(_numpy(block(x)), expected, rtol=1e-4, atol=1e-5)


def test_drop_path_drops_whole_samples_in_training_only():
    block = TransformerBlock(32, HEADS, dropout=0.0, normalize_first=True, drop_path_rate=0.9, seed=5)
    x = _tokens(batch=64)
    kept = np.isclose(_numpy(block(x, training=True)), x).all(axis=(1, 2))  # both branches dropped
    assert 0 < kept.sum() < 64
    assert not np.isclose(_numpy(block(x)), x).all(axis=(1, 2)).any()
    # Seeded: a block built with the same seed drops the same samples.
    again = TransformerBlock(32, HEADS, dropout=0.0, normalize_first=True, drop_path_rate=0.9, seed=5)
    again(x)
    again.set_weights(block.get_weights())
    fresh = TransformerBlock(32, HEADS, dropout=0.0, normalize_first=True, drop_path_rate=0.9, seed=5)
    fresh(x)
    fresh.set_weights(block.get_weights())
    np.testing.assert_array_equal(_numpy(again(x, training=True)), _numpy(fresh(x, training=True)))


@pytest.mark.parametrize("normalize_first", [True, False])
def test_causal_cache_equals_recomputing_the_prefix(normalize_first):
    block = TransformerBlock(32, HEADS, dropout=0.0, causal=True, normalize_first=normalize_first,
                             layer_scale_init_value=0.5)
    x = _tokens()
    full = _numpy(block(x))
    cache = np.zeros((B, 2, HEADS, T, WIDTH // HEADS), "float32")
    steps = []
    for i in range(T):
        out, cache = block(x[:, i : i + 1], cache=cache, cache_index=i)
        steps.append(_numpy(out))
    np.testing.assert_allclose(np.concatenate(steps, axis=1), full, rtol=1e-4, atol=1e-5)


def test_attention_bias_and_cross_attention_pass_through():
    block = TransformerBlock(32, HEADS, dropout=0.0)
    x, context = _tokens(), _tokens(S, seed=1)
    out, scores = block(x, context, return_cross_attention_scores=True)
    assert out.shape == (B, T, WIDTH) and scores.shape == (B, HEADS, T, S)
    bias = np.random.default_rng(2).normal(size=(1, HEADS, T, T)).astype("float32") * 3
    assert not np.allclose(_numpy(block(x, context, attention_bias=bias)), _numpy(out), atol=1e-4)
    mask = np.ones((B, T, T), bool)
    mask[:, :, -1] = False  # a -inf bias on the last key is the same as masking it
    minus_inf = np.where(mask, 0.0, -1e9).astype("float32")[:, None]
    np.testing.assert_allclose(_numpy(block(x, context, attention_bias=minus_inf)),
                               _numpy(block(x, context, attention_mask=mask)), rtol=1e-5, atol=1e-5)


def test_bad_arguments_and_calls_get_clear_errors():
    with pytest.raises(ValueError, match="`drop_path_rate` must be in"):
        TransformerBlock(32, HEADS, drop_path_rate=1.0)
    with pytest.raises(ValueError, match="divisible by num_heads"):
        TransformerBlock(32, 3)(_tokens())
    block = TransformerBlock(32, HEADS)
    block(_tokens())
    with pytest.raises(ValueError, match="built without cross-attention"):
        block(_tokens(), _tokens(S))
    with pytest.raises(ValueError, match="needs a layer with cross-attention"):
        block(_tokens(), return_cross_attention_scores=True)
