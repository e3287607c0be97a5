"""Reference RepVGGs with every parameter and BatchNorm statistic perturbed,
and the helpers that compare our outputs with theirs."""

import keras
import numpy as np
import torch


def perturb_(module, seed=0):
    """Every parameter and BatchNorm statistic away from its initial value:
    BatchNorm scales in [0.5, 1.5), shifts and means ~N(0, 0.1), variances in
    [0.5, 1.5), kernels ~N(0, 1 / fan_in). Default statistics (mean 0,
    variance 1) and unit scales would hide a swapped or missing fold."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in module.named_parameters():
            if param.ndim == 1 and name.endswith("weight"):
                param.copy_(0.5 + torch.rand(param.shape, generator=generator))
            elif param.ndim == 1:
                param.copy_(0.1 * torch.randn(param.shape, generator=generator))
            else:
                param.copy_(torch.randn(param.shape, generator=generator) / param[0].numel() ** 0.5)
        for name, buffer in module.named_buffers():
            if name.endswith("running_mean"):
                buffer.copy_(0.1 * torch.randn(buffer.shape, generator=generator))
            elif name.endswith("running_var"):
                buffer.copy_(0.5 + torch.rand(buffer.shape, generator=generator))
    return module.eval()


def numpy_state(module):
    return {key: value.numpy() for key, value in module.state_dict().items()}


def images(batch, size, seed=0):
    return np.random.default_rng(seed).normal(size=(batch, size, size, 3)).astype("float32")


def torch_outputs(module, batch):
    with torch.no_grad():
        return module(torch.from_numpy(batch.transpose(0, 3, 1, 2))).numpy()


def relative_error(ours, reference):
    """||ours - reference|| / ||reference||, Frobenius."""
    ours, reference = (np.asarray(keras.ops.convert_to_numpy(a), np.float64) for a in (ours, reference))
    return np.linalg.norm(ours - reference) / np.linalg.norm(reference)


def max_relative_error(ours, reference):
    """max |ours - reference| / max |reference| (the ViT and ConvNeXt parity rule)."""
    return np.abs(ours - reference).max() / np.abs(reference).max()
