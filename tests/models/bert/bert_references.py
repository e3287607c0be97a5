"""Reference BERTs (Hugging Face `BertForPreTraining`, `BertForMaskedLM`,
...) with every parameter perturbed, their inputs, and the comparison of
our outputs with theirs."""

import numpy as np
import torch
from transformers import BertConfig

# A small BERT: 2 blocks of width 32, 4 heads, MLP 64, 97 tokens, 24 positions, 2 segments.
SMALL = {"num_layers": 2, "hidden_dim": 32, "num_heads": 4, "vocabulary_size": 97, "max_sequence_length": 24}


def hugging_face_config(num_layers, hidden_dim, num_heads, vocabulary_size, max_sequence_length, **kwargs):
    return BertConfig(num_hidden_layers=num_layers, hidden_size=hidden_dim, num_attention_heads=num_heads,
                      intermediate_size=4 * hidden_dim, vocab_size=vocabulary_size,
                      max_position_embeddings=max_sequence_length, **kwargs)


def perturb_(module, seed=0):
    """Every parameter away from its initial value: LayerNorm weights around
    1, biases ~N(0, 0.1), embeddings ~N(0, 0.5), matrices ~N(0, 1 / fan_in).
    BERT's default init (zero biases, unit norms) would hide mapping errors."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in module.named_parameters():
            if param.ndim == 1 and "LayerNorm" in name and name.endswith("weight"):
                param.copy_(0.5 + torch.rand(param.shape, generator=generator))
            elif param.ndim == 1:
                param.copy_(0.1 * torch.randn(param.shape, generator=generator))
            elif "embeddings" in name:
                param.copy_(0.5 * torch.randn(param.shape, generator=generator))
            else:  # Linear weights are (out, in)
                param.copy_(torch.randn(param.shape, generator=generator) / param.shape[1] ** 0.5)
    return module.eval()


def padded_pairs(lengths, total, seed=0):
    """{"token_ids", "segment_ids", "padding_mask"} for rows of `lengths`
    real tokens, right-padded with id 0 to `total`: each row's first half
    segment 0, its second segment 1."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, SMALL["vocabulary_size"], (len(lengths), total)).astype("int32")
    mask = np.arange(total)[None, :] < np.asarray(lengths)[:, None]
    segments = (np.arange(total)[None, :] >= (np.asarray(lengths)[:, None] + 1) // 2) & mask
    ids[~mask] = 0
    return {"token_ids": ids, "segment_ids": segments.astype("int32"), "padding_mask": mask}


def torch_outputs(module, inputs):
    """The reference's output object on our inputs."""
    with torch.no_grad():
        return module(input_ids=torch.from_numpy(inputs["token_ids"].astype("int64")),
                      token_type_ids=torch.from_numpy(inputs["segment_ids"].astype("int64")),
                      attention_mask=torch.from_numpy(inputs["padding_mask"].astype("int64")))


def assert_close(ours, reference, rtol=1e-5):
    relative = np.abs(ours - reference).max() / np.abs(reference).max()
    assert relative < rtol, relative
