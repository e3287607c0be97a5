"""PyTorch CPU depthwise convolution whose kernel gradient is one convolution.

PyTorch's CPU backward for `conv2d(groups=C)` computes the kernel gradient
with a slow generic kernel. Written out, the gradient of tap (i, j) of
channel c is the correlation of the padded input with the upstream gradient:

    dW[c, i, j] = sum over n, h, w of x_pad[n, c, h + i, w + j] * dY[n, c, h, w]

which is itself a depthwise convolution: the input as one image of N*C
channels, each convolved with its own (H_out, W_out) upstream gradient as
the kernel, giving a (kh, kw) map per (image, channel), then summed over the
images. oneDNN's depthwise kernels run that faster on small maps and large
channel counts (ConvNeXt-T's 7x7 layers at batch 8 on a 2-core CPU: (7, 7,
768) 14.3 -> 1.7 ms, (14, 14, 384) 5.7 -> 2.4), about level on large maps
(these single-layer timings move by up to 2x between runs). Decided on the
whole ConvNeXt-T training step, alternated in one process: 1.316 -> 1.191 s
at batch 8, 5.32 -> 5.06 s at batch 32; restricted to small maps it gained
less (`benchmarks/README.md`). The input gradient stays PyTorch's own
(`convolution_backward`), already fast.

Only float32, stride 1, no dilation, one output channel per input channel,
on the CPU, with a gradient to record and outside `torch.compile`;
`applies()` says when, and `biased_ops.biased_conv2d` uses it then.
"""

import torch


def applies(inputs, kernel, strides, groups):
    """Whether `depthwise_conv2d` takes over `conv2d(inputs, kernel,
    groups=groups)`; `inputs` (N, C, H, W), `kernel` (C_out, 1, kh, kw)."""
    return (
        inputs.device.type == "cpu"
        and inputs.dtype == kernel.dtype == torch.float32
        and groups == inputs.shape[1] == kernel.shape[0]
        and tuple(strides) == (1, 1)
        and torch.is_grad_enabled()
        and (inputs.requires_grad or kernel.requires_grad)
        and not torch.compiler.is_compiling()
    )


def depthwise_conv2d(inputs, kernel, bias, padding):
    """`conv2d(inputs, kernel, bias, padding=padding, groups=C)`, same result,
    kernel gradient computed as above. `bias` may be None."""
    return _DepthwiseConv2d.apply(inputs, kernel, bias, tuple(padding))


def kernel_gradient(inputs, upstream, padding, kernel_size):
    """dW (C, 1, kh, kw) of a stride-1 depthwise convolution of `inputs`
    (N, C, H, W) whose output's gradient is `upstream` (N, C, H_out, W_out)."""
    batch, channels, height, width = inputs.shape
    per_image = torch.nn.functional.conv2d(
        inputs.contiguous().reshape(1, batch * channels, height, width),
        upstream.contiguous().reshape(batch * channels, 1, *upstream.shape[2:]),
        padding=padding, groups=batch * channels,
    )  # (1, N*C, kh, kw)
    return per_image.reshape(batch, channels, *kernel_size).sum(0).unsqueeze(1)


class _DepthwiseConv2d(torch.autograd.Function):
    @staticmethod
    def forward(ctx, inputs, kernel, bias, padding):
        ctx.save_for_backward(inputs, kernel)
        ctx.padding, ctx.has_bias = padding, bias is not None
        return torch.nn.functional.conv2d(inputs, kernel, bias, padding=padding, groups=inputs.shape[1])

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, upstream):
        inputs, kernel = ctx.saved_tensors
        input_grad = kernel_grad = bias_grad = None
        if ctx.needs_input_grad[0]:
            input_grad = torch.ops.aten.convolution_backward(
                upstream, inputs, kernel, None, [1, 1], list(ctx.padding), [1, 1], False, [0, 0],
                inputs.shape[1], [True, False, False],
            )[0]
        if ctx.needs_input_grad[1]:
            kernel_grad = kernel_gradient(inputs, upstream, ctx.padding, kernel.shape[2:])
        if ctx.has_bias and ctx.needs_input_grad[2]:
            bias_grad = upstream.sum((0, 2, 3))
        return input_grad, kernel_grad, bias_grad, None
