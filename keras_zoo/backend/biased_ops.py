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


def conv_padding(layer):
    """For a Keras convolution layer (Conv2D, DepthwiseConv2D), the symmetric
    (height, width) padding that PyTorch's `conv2d` needs to give the layer's
    result; None where the one-kernel path does not apply: another backend,
    no bias, channels-first, dilation, or Keras padding asymmetrically ("same"
    with an even kernel or a stride above 1: TensorFlow's rule)."""
    if not (FUSED_BIAS and layer.use_bias and layer.data_format == "channels_last"
            and tuple(layer.dilation_rate) == (1, 1)):
        return None
    if layer.padding == "valid":
        return (0, 0)
    if all(stride == 1 for stride in layer.strides) and all(size % 2 == 1 for size in layer.kernel_size):
        return tuple(size // 2 for size in layer.kernel_size)
    return None


def biased_conv2d(inputs, kernel, bias, strides, padding, groups=1):
    """Convolution of channels-last `inputs` (B, H, W, C_in) by a Keras
    kernel (kh, kw, C_in / groups, C_out), plus `bias` (C_out,), in one
    `torch.conv2d`; `padding` from `conv_padding(layer)`.

    The channels-last tensor permuted to (B, C, H, W) is already in PyTorch's
    channels_last memory format, which the oneDNN kernel reads and writes as
    is, so neither the input nor the output is copied.
    """
    import torch

    outputs = torch.nn.functional.conv2d(
        inputs.permute(0, 3, 1, 2), kernel.permute(3, 2, 0, 1), bias,
        stride=tuple(strides), padding=tuple(padding), groups=groups,
    )
    return outputs.permute(0, 2, 3, 1)
