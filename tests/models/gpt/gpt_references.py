"""Reference GPT-2s (Hugging Face `GPT2LMHeadModel`) with every parameter
perturbed, and the comparison of our logits with theirs."""

import numpy as np
import torch
from transformers import GPT2Config, GPT2LMHeadModel

# A small GPT-2: 2 blocks of width 32, 4 heads, 97 tokens, 24 positions.
SMALL = {"num_layers": 2, "hidden_dim": 32, "num_heads": 4, "vocabulary_size": 97, "max_sequence_length": 24}


def hugging_face_config(num_layers, hidden_dim, num_heads, vocabulary_size, max_sequence_length):
    return GPT2Config(n_layer=num_layers, n_embd=hidden_dim, n_head=num_heads, vocab_size=vocabulary_size,
                      n_positions=max_sequence_length)


def perturb_(module, seed=0):
    """Every parameter away from its initial value: LayerNorm weights around
    1, biases ~N(0, 0.1), embeddings ~N(0, 0.5), matrices ~N(0, 1 / fan_in).
    GPT-2's default init (zero biases, unit norms) would hide mapping errors."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in module.named_parameters():
            if param.ndim == 1 and ".ln_" in name and name.endswith("weight"):
                param.copy_(0.5 + torch.rand(param.shape, generator=generator))
            elif param.ndim == 1:
                param.copy_(0.1 * torch.randn(param.shape, generator=generator))
            elif "wte" in name or "wpe" in name:
                param.copy_(0.5 * torch.randn(param.shape, generator=generator))
            else:  # Conv1D weights are (in, out)
                param.copy_(torch.randn(param.shape, generator=generator) / param.shape[0] ** 0.5)
    return module.eval()


def small_reference(seed=0):
    return perturb_(GPT2LMHeadModel(hugging_face_config(**SMALL)), seed)


def token_ids(batch, length, seed=0):
    return np.random.default_rng(seed).integers(0, SMALL["vocabulary_size"], (batch, length)).astype("int32")


def torch_logits(module, ids, attention_mask=None):
    """Hugging Face's logits; with a mask, positions counted over the real
    tokens as its `generate` counts them (cumsum of the mask - 1)."""
    with torch.no_grad():
        if attention_mask is None:
            return module(torch.from_numpy(ids.astype("int64"))).logits.numpy()
        mask = torch.from_numpy(attention_mask.astype("int64"))
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        return module(torch.from_numpy(ids.astype("int64")), attention_mask=mask, position_ids=positions).logits.numpy()


def left_padded_prompts(lengths, total, seed=0):
    """ids (B, total) and their padding mask, row b's lengths[b] real
    tokens last; the padding ids are random tokens, which must not matter."""
    ids = token_ids(len(lengths), total, seed)
    mask = np.arange(total)[None, :] >= total - np.asarray(lengths)[:, None]
    return ids, mask


def assert_logits_match(ours, reference, rtol=1e-5):
    relative = np.abs(ours - reference).max() / np.abs(reference).max()
    assert relative < rtol, relative
    np.testing.assert_array_equal(ours.argmax(-1), reference.argmax(-1))
