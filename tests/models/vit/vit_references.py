"""Reference ViTs (timm, Hugging Face) with every parameter perturbed, and
the helpers that compare our logits with theirs."""

import numpy as np
import torch

# A small ViT: 2 blocks of width 32 over 8x8 patches of a 32x32 image.
SMALL = {"patch_size": 8, "hidden_dim": 32, "depth": 2, "num_heads": 2}


def perturb_(module, seed=0):
    """Every parameter away from its initial value at a sensible scale:
    norm weights and layer scales around 1, biases, class token and position
    table ~N(0, 0.1-0.5), matrices ~N(0, 1 / fan_in). Default inits (zero
    biases, unit norms, tiny class tokens) would hide mapping errors."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in module.named_parameters():
            if param.ndim == 1 and ("norm" in name or "gamma" in name or "layernorm" in name) and "weight" in name \
                    or name.endswith("gamma"):
                param.copy_(0.5 + torch.rand(param.shape, generator=generator))
            elif param.ndim == 1:
                param.copy_(0.1 * torch.randn(param.shape, generator=generator))
            elif "pos" in name or "cls_token" in name:
                param.copy_(0.5 * torch.randn(param.shape, generator=generator))
            else:
                param.copy_(torch.randn(param.shape, generator=generator) / param[0].numel() ** 0.5)
    return module.eval()


def images(batch, height, width=None, seed=0):
    return np.random.default_rng(seed).normal(size=(batch, height, width or height, 3)).astype("float32")


def torch_logits(module, batch):
    with torch.no_grad():
        out = module(torch.from_numpy(batch.transpose(0, 3, 1, 2)))
    return (out.logits if hasattr(out, "logits") else out).numpy()


def assert_logits_match(ours, reference, rtol=1e-5):
    relative = np.abs(ours - reference).max() / np.abs(reference).max()
    assert relative < rtol, relative
    np.testing.assert_array_equal(ours.argmax(-1), reference.argmax(-1))
