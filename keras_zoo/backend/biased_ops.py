"""Products that add their bias in the same kernel, where the backend has one.

Keras adds a layer's bias in a pass of its own over the output (`ops.matmul`
then `ops.add`). XLA fuses that pass into the product; PyTorch runs it eagerly,
and its CPU kernels take the bias themselves (`addmm`, `conv2d(bias=...)`).
Keras' torch convolution also copies its input twice (`permute().contiguous()`
then `.contiguous(channels_last)`) where one strided view is enough. On
ConvNeXt-T (torch, 2-core CPU, batch 8) the separate adds were 18% of the
forward pass and the copies 6% (`torch.profiler`, benchmarks/README.md).

`FUSED_BIAS` says whether the functions below apply to the active backend;
where it is False, layers keep Keras' own computation.
"""

import keras

FUSED_BIAS = keras.backend.backend() == "torch"


def biased_matmul(inputs, kernel, bias):
    """`inputs @ kernel + bias` in one `torch.addmm`, for inputs (..., n_in),
    kernel (n_in, n_out) and bias (n_out,), all of one dtype."""
    import torch

    flat = torch.addmm(bias, inputs.reshape(-1, inputs.shape[-1]), kernel)
    return flat.reshape(*inputs.shape[:-1], kernel.shape[-1])


def biased_depthwise_conv_same(inputs, kernel, bias):
    """Stride-1 "same" depthwise convolution of channels-last `inputs`
    (B, H, W, C) by a Keras depthwise `kernel` (kh, kw, C, 1) of odd sizes,
    plus `bias` (C,), in one `torch.conv2d`.

    The channels-last tensor permuted to (B, C, H, W) is already in PyTorch's
    channels_last memory format, which the oneDNN kernel reads and writes as
    is, so neither the input nor the output is copied.
    """
    import torch

    kh, kw, channels, _ = kernel.shape
    weight = kernel.permute(2, 3, 0, 1)  # (C, 1, kh, kw)
    outputs = torch.nn.functional.conv2d(
        inputs.permute(0, 3, 1, 2), weight, bias, padding=(kh // 2, kw // 2), groups=channels
    )
    return outputs.permute(0, 2, 3, 1)
