"""The RepVGG block: both forms through the layer checks, the fold of its
three branches into one convolution, and what a training step touches."""

import keras
import numpy as np
import pytest

from keras_zoo.models.repvgg import RepVGGBlock
from keras_zoo.testing import check_layer
from repvgg_references import relative_error


def _perturbed_block(filters, strides, groups, channels, seed=0):
    """A built train-form block whose every weight and statistic is random."""
    block = RepVGGBlock(filters, strides=strides, groups=groups)
    block.build((None, 9, 9, channels))
    rng = np.random.default_rng(seed)
    for norm in (block.norm_kxk, block.norm_1x1, block.identity):
        if norm is None:
            continue
        norm.gamma.assign(rng.uniform(0.5, 1.5, norm.gamma.shape))
        norm.beta.assign(rng.normal(0, 0.1, norm.beta.shape))
        norm.moving_mean.assign(rng.normal(0, 0.1, norm.moving_mean.shape))
        norm.moving_variance.assign(rng.uniform(0.5, 1.5, norm.moving_variance.shape))
    return block


def _deploy_twin(block):
    twin = RepVGGBlock.from_config({**block.get_config(), "deploy": True})
    twin.build((None, 9, 9, block.conv_kxk.kernel.shape[2] * block.groups))
    kernel, bias = block.fused_kernel_and_bias()
    twin.reparam_conv.kernel.assign(kernel)
    twin.reparam_conv.bias.assign(bias)
    return twin


@pytest.mark.parametrize("deploy", [False, True], ids=["train", "deploy"])
@pytest.mark.parametrize("strides, groups, channels", [(1, 1, 8), (2, 2, 4), (1, 2, 8)],
                         ids=["identity", "stride2_grouped", "identity_grouped"])
def test_layer_checks(tmp_path, deploy, strides, groups, channels):
    check_layer(lambda **kw: RepVGGBlock(8, strides=strides, groups=groups, deploy=deploy, **kw),
                (2, 7, 7, channels), str(tmp_path))


@pytest.mark.parametrize("strides, groups, channels", [(1, 1, 8), (1, 4, 8), (2, 1, 8), (2, 2, 4), (1, 1, 4)],
                         ids=["identity", "identity_grouped", "stride2", "stride2_grouped", "widening"])
def test_the_fused_convolution_equals_the_three_branches_in_inference(strides, groups, channels):
    block = _perturbed_block(8, strides, groups, channels)
    assert (block.identity is not None) == (strides == 1 and channels == 8)
    x = np.random.default_rng(1).normal(size=(2, 9, 9, channels)).astype("float32")
    expected = keras.ops.convert_to_numpy(block(x, training=False))
    fused = keras.ops.convert_to_numpy(_deploy_twin(block)(x, training=False))
    assert fused.shape == expected.shape == (2, 9 // strides + strides - 1, 9 // strides + strides - 1, 8)
    assert relative_error(fused, expected) < 1e-6


def test_the_fold_reads_every_branch():
    # Each branch's statistics moved alone changes the fused kernel or bias.
    block = _perturbed_block(8, 1, 1, 8)
    kernel, bias = block.fused_kernel_and_bias()
    for norm in (block.norm_kxk, block.norm_1x1, block.identity):
        norm.moving_mean.assign(keras.ops.convert_to_numpy(norm.moving_mean) + 1.0)
        _, moved = block.fused_kernel_and_bias()
        assert not np.allclose(moved, bias), norm.name
        bias = moved


def test_stride_two_pads_one_pixel_on_every_side_as_pytorch():
    # Keras' "same" pads (0, 1) for stride 2 on even sides; PyTorch's padding=1 pads (1, 1).
    block = RepVGGBlock(1, strides=2, deploy=True)
    block.build((None, 4, 4, 1))
    kernel = np.zeros((3, 3, 1, 1), "float32")
    kernel[0, 0] = 1.0  # reads the pixel up-left of each centre
    block.reparam_conv.kernel.assign(kernel)
    x = np.arange(1, 17, dtype="float32").reshape(1, 4, 4, 1)
    out = keras.ops.convert_to_numpy(block(x))[0, :, :, 0]
    np.testing.assert_array_equal(out, [[0, 0], [0, 6]])  # centres (0,0), (0,2), (2,0), (2,2)


def test_a_training_step_updates_the_statistics_and_all_three_branches():
    block = RepVGGBlock(8)
    inputs = keras.Input((6, 6, 8))
    model = keras.Model(inputs, block(inputs))
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    rng = np.random.default_rng(0)
    x, y = rng.normal(1.0, 2.0, size=(4, 6, 6, 8)).astype("float32"), rng.normal(size=(4, 6, 6, 8)).astype("float32")
    before = {v.path: keras.ops.convert_to_numpy(v).copy() for v in block.weights}
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    moved = {v.path for v in block.weights if not np.array_equal(before[v.path], keras.ops.convert_to_numpy(v))}
    expected = {f"{block.name}/{branch}/{name}" for branch in ("conv_kxk", "conv_1x1") for name in ("kernel",)}
    expected |= {f"{block.name}/{norm}/{name}" for norm in ("norm_kxk", "norm_1x1", "identity")
                 for name in ("gamma", "beta", "moving_mean", "moving_variance")}
    assert moved == expected


def test_bad_arguments_say_what_is_valid():
    with pytest.raises(ValueError, match="`strides` must be 1 or 2. Received: strides=3"):
        RepVGGBlock(8, strides=3)
    with pytest.raises(ValueError, match="divisible by `groups`. Received: filters=6, groups=4"):
        RepVGGBlock(6, groups=4)
    with pytest.raises(ValueError, match=r"channel count divisible by the groups. Received: input_shape=\(None, 4, 4, 6\)"):
        RepVGGBlock(8, groups=4).build((None, 4, 4, 6))
    with pytest.raises(ValueError, match="already in deploy form"):
        RepVGGBlock(8, deploy=True).fused_kernel_and_bias()
