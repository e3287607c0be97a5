import numpy as np
import pytest

import keras
from keras_zoo.models.convnext import ConvNeXtBlock
from keras_zoo.testing import check_layer


@pytest.mark.parametrize(
    "options",
    [{"layer_scale_init_value": 0.5}, {"drop_path_rate": 0.2, "seed": 1, "layer_scale_init_value": 0.5}, {"layer_scale_init_value": None}],
    # (the default 1e-6 scale makes a single SGD step too small to see in float32)
    ids=["layer_scale", "drop_path", "no_layer_scale"],
)
def test_layer_checks(tmp_path, options):
    check_layer(lambda **kw: ConvNeXtBlock(8, **options, **kw), (2, 9, 9, 8), str(tmp_path))


def test_residual_branch_starts_near_identity():
    # Layer scale 1e-6 makes each block start as (almost) the identity.
    block = ConvNeXtBlock(8)
    x = np.random.default_rng(0).normal(size=(2, 7, 7, 8)).astype("float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(block(x)), x, atol=1e-4)


def test_disabled_parts_are_identity_layers():
    block = ConvNeXtBlock(8, layer_scale_init_value=None, drop_path_rate=0.0)
    assert isinstance(block.layer_scale, keras.layers.Identity)
    assert isinstance(block.drop_path, keras.layers.Identity)


def test_wrong_channel_count_is_rejected():
    with pytest.raises(ValueError, match=r"expects 8 channels.*input_shape=\(2, 7, 7, 4\)"):
        ConvNeXtBlock(8)(np.zeros((2, 7, 7, 4), "float32"))


@pytest.mark.parametrize("arg", ["dim", "mlp_ratio", "kernel_size"])
def test_invalid_sizes_are_rejected(arg):
    kwargs = {"dim": 8, arg: 0}
    with pytest.raises(ValueError, match=arg):
        ConvNeXtBlock(**kwargs)
