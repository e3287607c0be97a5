"""The sample-grid callback and its PNG writer."""

import keras
import numpy as np
import pytest

import keras_zoo
from keras_zoo.callbacks import SampleGrid
from keras_zoo.callbacks import image_grid
from keras_zoo.callbacks.png_writer import write_png


def read_png(path):
    """The PNG's pixels (H, W, channels), read with Pillow."""
    from PIL import Image

    with Image.open(path) as image:
        assert image.format == "PNG" and image.mode in ("L", "RGB")
        pixels = np.asarray(image)
    return pixels[..., None] if pixels.ndim == 2 else pixels


@pytest.mark.parametrize("channels", [1, 3])
def test_png_round_trip(tmp_path, channels):
    image = np.random.default_rng(0).integers(0, 256, size=(5, 7, channels), dtype=np.uint8)
    write_png(tmp_path / "image.png", image)
    np.testing.assert_array_equal(read_png(tmp_path / "image.png"), image)


def test_png_rejects_float_images(tmp_path):
    with pytest.raises(ValueError, match="dtype=float32"):
        write_png(tmp_path / "image.png", np.zeros((4, 4), np.float32))


def test_image_grid_places_images_row_major_with_borders():
    images = np.stack([np.full((2, 3, 1), value, np.float32) for value in (-1.0, 0.0, 1.0, 1.0)])
    grid = image_grid(images, rows=2, columns=2, padding=1)
    assert grid.shape == (2 * 3 + 1, 2 * 4 + 1, 1)
    assert grid[1, 1, 0] == 0 and grid[1, 5, 0] == 128 and grid[4, 1, 0] == 255
    assert grid[0].max() == 0 and grid[:, 4].max() == 0  # borders
    with pytest.raises(ValueError, match=r"\(6, H, W, C\)"):
        image_grid(images, rows=2, columns=3)


def test_callback_saves_one_grid_per_epoch_that_changes_with_training(tmp_path):
    # A large generator learning rate: visible change from one epoch to the next.
    model = keras_zoo.create_model(
        "wgan_gp", image_shape=(8, 8, 1), latent_dim=4, base_filters=4, n_critic=1, seed=0,
        g_optimizer=keras.optimizers.Adam(0.05),
    )
    callback = SampleGrid(str(tmp_path / "samples"), rows=2, columns=3, scale=2)
    images = np.random.default_rng(0).uniform(-1, 1, size=(8, 8, 8, 1)).astype("float32")
    model.fit(images, batch_size=4, epochs=2, verbose=0, callbacks=[callback])
    assert [p.rsplit("/", 1)[-1] for p in callback.paths] == ["samples_epoch_0001.png", "samples_epoch_0002.png"]
    first, second = read_png(callback.paths[0]), read_png(callback.paths[1])
    assert first.shape == (2 * (2 * 9 + 1), 2 * (3 * 9 + 1), 1)
    assert not np.array_equal(first, second)
    # The last grid shows the trained generator (its state synced back on JAX).
    samples = keras.ops.convert_to_numpy(model.generator(callback.latents, training=False))
    expected = np.repeat(np.repeat(image_grid(samples, 2, 3), 2, axis=0), 2, axis=1)
    np.testing.assert_array_equal(second, expected)
