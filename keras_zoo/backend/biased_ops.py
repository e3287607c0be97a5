"""Products that add their bias in the same kernel, where the backend has one.

Keras adds a layer's bias in a pass of its own over the output (`ops.matmul`
then `ops.add`). XLA fuses that pass into the product; PyTorch runs it eagerly,
and its CPU kernels take the bias themselves (`addmm`, `conv2d(bias=...)`).
Keras' torch convolution also copies its input twice (`permute().contiguous()`
then `.contiguous(channels_last)`) where one strided view is enough. On
ConvNeXt-T (torch, 2-core CPU, batch 8) the separate adds were 18% of the
forward pass and the copies 6% (`torch.profiler`, benchmarks/README.md).

In inference on the CPU, oneDNN can also apply the activation in the same
kernel (`mkldnn._linear_pointwise`, what Inductor emits for CPU): one pass
over the output instead of three (bias copy, product, activation). For
ConvNeXt-T's first expansion, (8, 56, 56, 96) -> 384 with exact GELU, 20 ms
against 34 ms; on small outputs oneDNN's product is slower than `addmm`
((8, 7, 7, 768) -> 3072: 12 ms against 7 ms), hence the size bar. The kernel
has no gradient, so it only runs where none is being recorded.

`FUSED_BIAS` says whether the functions below apply to the active backend;
where it is False, layers keep Keras' own computation.
"""

import functools

import keras

FUSED_BIAS = keras.backend.backend() == "torch"
# oneDNN post-op (name, algorithm) for Keras activations called with their defaults.
ONEDNN_ACTIVATIONS = {keras.activations.gelu: ("gelu", "none"), keras.activations.relu: ("relu", "")}
# Outputs below this many values keep addmm: see above.
MIN_FUSED_ACTIVATION_VALUES = 1 << 22


def biased_matmul(inputs, kernel, bias, activation=None):
    """`activation(inputs @ kernel + bias)` for inputs (..., n_in), kernel
    (n_in, n_out) and bias (n_out,), all of one dtype: one oneDNN kernel where
    `onednn_activation` allows it, otherwise one `torch.addmm` and the
    activation (None: none) after it."""
    import torch

    post_op = onednn_activation(inputs, kernel, bias, activation)
    if post_op is not None:
        return torch.ops.mkldnn._linear_pointwise(inputs, kernel.t(), bias, post_op[0], [], post_op[1])
    flat = torch.addmm(bias, inputs.reshape(-1, inputs.shape[-1]), kernel)
    outputs = flat.reshape(*inputs.shape[:-1], kernel.shape[-1])
    return outputs if activation is None else activation(outputs)


def onednn_activation(inputs, kernel, bias, activation):
    """The oneDNN post-op that computes `activation` inside the product, or
    None where it does not apply: an activation it lacks, not float32 on the
    CPU, a gradient being recorded, inside `torch.compile` (which fuses on its
    own), or an output under MIN_FUSED_ACTIVATION_VALUES values."""
    import torch

    if torch.compiler.is_compiling():  # first: the checks below break a traced graph
        return None
    post_op = ONEDNN_ACTIVATIONS.get(activation)
    if post_op is None or not _has_linear_pointwise():
        return None
    if inputs.device.type != "cpu" or not inputs.dtype == kernel.dtype == bias.dtype == torch.float32:
        return None
    if torch.is_grad_enabled() and (inputs.requires_grad or kernel.requires_grad or bias.requires_grad):
        return None
    if inputs.numel() // inputs.shape[-1] * kernel.shape[-1] < MIN_FUSED_ACTIVATION_VALUES:
        return None
    return post_op


@functools.cache
def _has_linear_pointwise():
    import torch

    return torch.backends.mkldnn.is_available() and hasattr(torch.ops.mkldnn, "_linear_pointwise")


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

    from keras_zoo.backend import torch_depthwise

    inputs, kernel = inputs.permute(0, 3, 1, 2), kernel.permute(3, 2, 0, 1)
    if torch_depthwise.applies(inputs, kernel, strides, groups):  # its kernel gradient is faster on the CPU
        outputs = torch_depthwise.depthwise_conv2d(inputs, kernel, bias, padding)
    else:
        outputs = torch.nn.functional.conv2d(inputs, kernel, bias, stride=tuple(strides), padding=tuple(padding),
                                             groups=groups)
    return outputs.permute(0, 2, 3, 1)
