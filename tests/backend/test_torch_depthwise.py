"""The PyTorch CPU depthwise convolution whose kernel gradient is one
convolution: same values and gradients as `conv2d(groups=C)`, taken by
keras_zoo's DepthwiseConv2D in training only."""

import keras
import numpy as np
import pytest
import torch

from keras_zoo.layers import DepthwiseConv2D
from keras_zoo.testing.keras_equivalence import check_same_as_keras

from keras_zoo.backend import torch_depthwise


def _channels_last(shape, generator):
    """(N, C, H, W) with channels-last strides, as keras_zoo's layers hand it to conv2d."""
    batch, channels, height, width = shape
    return torch.randn(batch, height, width, channels, generator=generator).permute(0, 3, 1, 2)


@pytest.mark.parametrize(
    "shape, kernel_size, padding",
    [((3, 6, 9, 11), (7, 7), (3, 3)),  # ConvNeXt's: "same" 7x7
     ((2, 4, 8, 8), (3, 3), (0, 0)),  # "valid"
     ((2, 5, 6, 7), (3, 5), (1, 2))],  # rectangular kernel
)
def test_values_and_gradients_equal_pytorch_conv2d(shape, kernel_size, padding):
    generator = torch.Generator().manual_seed(0)
    inputs = _channels_last(shape, generator).requires_grad_()
    kernel = torch.randn(shape[1], 1, *kernel_size, generator=generator, requires_grad=True)
    bias = torch.randn(shape[1], generator=generator, requires_grad=True)
    expected = torch.nn.functional.conv2d(inputs, kernel, bias, padding=padding, groups=shape[1])
    upstream = torch.randn(expected.shape, generator=generator)
    expected_grads = torch.autograd.grad(expected, (inputs, kernel, bias), upstream)

    assert torch_depthwise.applies(inputs, kernel, (1, 1), shape[1])
    outputs = torch_depthwise.depthwise_conv2d(inputs, kernel, bias, padding)
    grads = torch.autograd.grad(outputs, (inputs, kernel, bias), upstream)
    torch.testing.assert_close(outputs, expected, rtol=0, atol=0)
    for grad, expected_grad in zip(grads, expected_grads):
        torch.testing.assert_close(grad, expected_grad, rtol=1e-5, atol=1e-5)


def test_kernel_gradient_alone_and_without_bias():
    generator = torch.Generator().manual_seed(1)
    inputs = _channels_last((2, 3, 6, 6), generator)
    kernel = torch.randn(3, 1, 3, 3, generator=generator, requires_grad=True)
    expected = torch.autograd.grad(torch.nn.functional.conv2d(inputs, kernel, padding=1, groups=3).square().sum(), kernel)
    grad = torch.autograd.grad(torch_depthwise.depthwise_conv2d(inputs, kernel, None, (1, 1)).square().sum(), kernel)
    torch.testing.assert_close(grad[0], expected[0], rtol=1e-5, atol=1e-5)


def test_applies_only_to_float32_stride_1_depthwise_training_on_the_cpu():
    inputs = torch.ones(2, 4, 8, 8, requires_grad=True)
    kernel = torch.ones(4, 1, 3, 3, requires_grad=True)
    assert torch_depthwise.applies(inputs, kernel, (1, 1), 4)
    assert not torch_depthwise.applies(inputs, kernel, (2, 2), 4)  # strided
    assert not torch_depthwise.applies(inputs, torch.ones(8, 1, 3, 3), (1, 1), 4)  # depth multiplier 2
    assert not torch_depthwise.applies(inputs.double(), kernel.double(), (1, 1), 4)
    assert not torch_depthwise.applies(inputs.detach(), kernel.detach(), (1, 1), 4)  # nothing to differentiate
    with torch.no_grad():
        assert not torch_depthwise.applies(inputs, kernel, (1, 1), 4)


def test_keras_zoo_layer_trains_through_it_and_matches_keras(monkeypatch):
    calls = []
    original = torch_depthwise.depthwise_conv2d
    monkeypatch.setattr(torch_depthwise, "depthwise_conv2d", lambda *a: calls.append(1) or original(*a))
    kwargs = {"kernel_size": 7, "padding": "same", "bias_initializer": "random_normal"}
    check_same_as_keras(lambda: DepthwiseConv2D(formulation="native", **kwargs),
                        lambda: keras.layers.DepthwiseConv2D(**kwargs), (2, 9, 9, 4))
    assert calls  # the training step went through it
    calls.clear()
    layer = DepthwiseConv2D(formulation="native", **kwargs)
    layer(np.ones((1, 9, 9, 4), "float32"))  # a direct call records the kernel's gradient
    assert calls
    calls.clear()
    keras.Sequential([keras.Input((9, 9, 4)), layer]).predict(np.ones((1, 9, 9, 4), "float32"), verbose=0)
    assert not calls  # inference records none
