import keras
import numpy as np
import pytest
import torch
from timm.layers import resample_abs_pos_embed

from keras_zoo.layers import LearnedPositionEmbedding
from keras_zoo.layers import PatchPositionEmbedding
from keras_zoo.layers import resample_position_embedding
from keras_zoo.testing import check_layer

WIDTH = 8


def _timm(embedding, new_grid, old_grid, num_prefix_tokens, antialias=True):
    return resample_abs_pos_embed(
        torch.from_numpy(embedding), list(new_grid), list(old_grid),
        num_prefix_tokens=num_prefix_tokens, antialias=antialias,
    ).numpy()


def _embedding(tokens, seed=0):  # timm's layout (1, T, d)
    return np.random.default_rng(seed).normal(size=(1, tokens, WIDTH)).astype("float32")


@pytest.mark.parametrize("old_grid, new_grid", [((14, 14), (24, 24)), ((7, 7), (5, 3)), ((3, 5), (8, 2))])
@pytest.mark.parametrize("num_prefix_tokens", [0, 1])
@pytest.mark.parametrize("antialias", [True, False])
def test_matches_timm_resample_abs_pos_embed(old_grid, new_grid, num_prefix_tokens, antialias):
    embedding = _embedding(num_prefix_tokens + old_grid[0] * old_grid[1])
    expected = _timm(embedding, new_grid, old_grid, num_prefix_tokens, antialias)
    ours = resample_position_embedding(embedding, new_grid, old_grid, num_prefix_tokens, antialias)
    assert ours.shape == expected.shape and ours.dtype == np.float32
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-5)
    # The same table without timm's leading axis.
    np.testing.assert_array_equal(
        resample_position_embedding(embedding[0], new_grid, old_grid, num_prefix_tokens, antialias), ours[0])


@pytest.mark.parametrize("antialias", [True, False])
def test_the_run_time_resampling_computes_the_load_time_table(antialias):
    layer = PatchPositionEmbedding((4, 4), antialias=antialias)
    layer.build((None, 17, WIDTH))
    table = np.random.default_rng(5).normal(size=(17, WIDTH)).astype("float32")
    layer.position_embeddings.assign(table)
    for grid in ((6, 3), (4, 4), (2, 7)):
        tokens = np.zeros((2, 1 + grid[0] * grid[1], WIDTH), "float32")
        patch_grid = np.zeros((2, *grid, 1), "float32")
        out = keras.ops.convert_to_numpy(layer(tokens, patch_grid=patch_grid))
        expected = resample_position_embedding(table, grid, (4, 4), antialias=antialias)
        np.testing.assert_allclose(out[1], expected, rtol=0, atol=1e-5)


def test_prefix_tokens_are_kept_and_a_square_old_grid_is_inferred():
    embedding = _embedding(2 + 6 * 6)
    ours = resample_position_embedding(embedding, 4, num_prefix_tokens=2)
    np.testing.assert_array_equal(ours[:, :2], embedding[:, :2])
    np.testing.assert_allclose(ours, _timm(embedding, (4, 4), (6, 6), 2), rtol=0, atol=1e-5)


def test_the_same_grid_gives_the_same_table():
    embedding = _embedding(1 + 3 * 4)
    np.testing.assert_allclose(resample_position_embedding(embedding, (3, 4), (3, 4)), embedding, atol=1e-7)


def test_patch_position_embedding_layer_checks(tmp_path):
    check_layer(lambda **kw: PatchPositionEmbedding((2, 3), **kw), (2, 7, WIDTH), str(tmp_path))


def test_weights_saved_for_one_grid_load_resampled_into_another(tmp_path):
    def model(grid):
        inputs = keras.Input((1 + grid[0] * grid[1], WIDTH))
        return keras.Model(inputs, PatchPositionEmbedding(grid, name="position")(inputs))

    small = model((4, 4))
    table = np.random.default_rng(3).normal(size=(17, WIDTH)).astype("float32")
    small.get_layer("position").position_embeddings.assign(table)
    small.save_weights(tmp_path / "small.weights.h5")
    small.save(tmp_path / "small.keras")
    expected = _timm(table[None], (6, 5), (4, 4), 1)[0]  # timm's default: antialiased
    for path in ("small.weights.h5", "small.keras"):
        large = model((6, 5))
        large.load_weights(tmp_path / path)
        loaded = keras.ops.convert_to_numpy(large.get_layer("position").position_embeddings)
        np.testing.assert_allclose(loaded, expected, rtol=0, atol=1e-5)


def test_set_resampled_embedding_takes_a_non_square_grid():
    layer = PatchPositionEmbedding((4, 4), num_prefix_tokens=1)
    layer.build((None, 17, WIDTH))
    embedding = _embedding(1 + 3 * 5)  # timm's layout, a 3x5 grid
    layer.set_resampled_embedding(embedding, old_grid=(3, 5))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer.position_embeddings),
                               _timm(embedding, (4, 4), (3, 5), 1)[0], rtol=0, atol=1e-5)
    out = keras.ops.convert_to_numpy(layer(np.zeros((2, 17, WIDTH), "float32")))
    np.testing.assert_array_equal(out[1], keras.ops.convert_to_numpy(layer.position_embeddings))


def test_learned_position_embedding_is_unchanged():
    layer = LearnedPositionEmbedding(7, initializer="ones")
    assert set(layer.get_config()) - set(keras.layers.Layer().get_config()) == {"sequence_length", "initializer"}
    layer(np.zeros((1, 3, 4), "float32"))
    assert [w.path for w in layer.weights] == [f"{layer.name}/embeddings"]


@pytest.mark.parametrize("call, match", [
    (lambda: resample_position_embedding(np.zeros((1, 1 + 15, 4)), (4, 4)), "no square grid: pass `old_grid`"),
    (lambda: resample_position_embedding(np.zeros((17, 4)), (4, 4), old_grid=(3, 5)), r"Received: .*old_grid=\(3, 5\)"),
    (lambda: resample_position_embedding(np.zeros((17, 4)), (4, 0)), r"Received: new_grid=\(4, 0\)"),
    (lambda: resample_position_embedding(np.zeros((17, 4)), 4, num_prefix_tokens=-1), "Received: num_prefix_tokens=-1"),
    (lambda: resample_position_embedding(np.zeros((2, 17, 4)), 4), r"Received: embedding.shape=\(2, 17, 4\)"),
    (lambda: PatchPositionEmbedding(0), "Received: grid_size=0"),
    (lambda: PatchPositionEmbedding(4, num_prefix_tokens=1.0), "Received: num_prefix_tokens=1.0"),
    (lambda: PatchPositionEmbedding(4).build((None, 16, 4)), r"needs 17 tokens. Received: input_shape=\(None, 16, 4\)"),
])
def test_invalid_arguments_are_reported(call, match):
    with pytest.raises(ValueError, match=match):
        call()
