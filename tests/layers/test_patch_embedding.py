import keras
import numpy as np
import pytest
import torch
from timm.layers import PatchEmbed

from keras_zoo.layers import PatchEmbedding
from keras_zoo.testing import check_layer


def test_layer_checks(tmp_path):
    check_layer(lambda **kw: PatchEmbedding(8, 4, **kw), (2, 8, 12, 3), str(tmp_path))


def test_layer_checks_on_the_grid(tmp_path):
    check_layer(lambda **kw: PatchEmbedding(6, (2, 3), flatten=False, **kw), (2, 4, 9, 3), str(tmp_path))


@pytest.mark.parametrize("flatten", [True, False])
def test_matches_timm_patch_embed_by_weight_transfer(flatten):
    torch.manual_seed(0)
    reference = PatchEmbed(img_size=(16, 24), patch_size=4, in_chans=3, embed_dim=8, flatten=flatten)
    with torch.no_grad():
        for parameter in reference.parameters():  # non-zero biases; no default values to hide a mix-up
            parameter.add_(torch.randn_like(parameter) * 0.1)
    images = np.random.default_rng(0).normal(size=(2, 16, 24, 3)).astype("float32")
    layer = PatchEmbedding(8, 4, flatten=flatten)
    layer.build(images.shape)
    # torch (O, I, kh, kw) -> keras (kh, kw, I, O)
    layer.projection.kernel.assign(reference.proj.weight.detach().numpy().transpose(2, 3, 1, 0))
    layer.projection.bias.assign(reference.proj.bias.detach().numpy())
    ours = keras.ops.convert_to_numpy(layer(images))
    with torch.no_grad():
        expected = reference(torch.from_numpy(images.transpose(0, 3, 1, 2))).numpy()
    if not flatten:
        expected = expected.transpose(0, 2, 3, 1)  # NCHW -> NHWC
    assert ours.shape == expected.shape == ((2, 24, 8) if flatten else (2, 4, 6, 8))
    np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-5)


def test_patches_come_in_row_major_order():
    # A patch of ones in grid row 0, column 1 of the 2x3 grid lights up
    # sequence position 0 * 3 + 1 (column-major order would give 2).
    images = np.zeros((1, 8, 12, 1), "float32")
    images[0, 0:4, 4:8] = 1.0
    layer = PatchEmbedding(2, 4, kernel_initializer="ones", use_bias=False)
    out = keras.ops.convert_to_numpy(layer(images))[0]  # (6, 2)
    np.testing.assert_array_equal(np.flatnonzero(out[:, 0]), [1])


def test_unknown_image_size_gives_an_unknown_sequence_length():
    layer = PatchEmbedding(8, 4)
    assert layer.compute_output_shape((None, None, 16, 3)) == (None, None, 8)
    model = keras.Sequential([keras.Input((None, None, 3)), layer])
    out = model(np.zeros((1, 8, 20, 3), "float32"))
    assert tuple(out.shape) == (1, 10, 8)


@pytest.mark.parametrize("bad, match", [
    ({"hidden_dim": 0}, "Received: hidden_dim=0"),
    ({"patch_size": 0}, r"Received: patch_size=0"),
    ({"patch_size": (4, 4, 4)}, r"Received: patch_size=\(4, 4, 4\)"),
])
def test_invalid_arguments_are_reported(bad, match):
    with pytest.raises(ValueError, match=match):
        PatchEmbedding(**{"hidden_dim": 8, "patch_size": 4, **bad})


def test_an_image_size_that_patches_do_not_tile_is_reported():
    with pytest.raises(ValueError, match=r"multiple of the patch size. Received: input_shape=\(2, 16, 18, 3\)"):
        PatchEmbedding(8, 4).build((2, 16, 18, 3))
