"""A grid of generated samples from one fixed latent batch, saved as a PNG
at the end of every epoch, to watch a GAN learn."""

import os

import keras
import numpy as np

from keras_zoo.callbacks.png_writer import write_png


def image_grid(images, rows, columns, value_range=(-1.0, 1.0), padding=1):
    """Tiles `(rows * columns, H, W, C)` images into one uint8 image
    `(rows * (H + padding) + padding, ..., C)` with black borders."""
    images = np.asarray(images, np.float32)
    if images.ndim != 4 or images.shape[0] != rows * columns:
        raise ValueError(
            f"`images` must be (rows * columns, H, W, C) = ({rows * columns}, H, W, C). "
            f"Received shape {images.shape}"
        )
    low, high = value_range
    images = np.clip((images - low) / (high - low), 0.0, 1.0)
    count, height, width, channels = images.shape
    grid = np.zeros((rows * (height + padding) + padding, columns * (width + padding) + padding, channels), np.float32)
    for index, image in enumerate(images):
        top = padding + (index // columns) * (height + padding)
        left = padding + (index % columns) * (width + padding)
        grid[top : top + height, left : left + width] = image
    return np.round(grid * 255.0).astype(np.uint8)


class SampleGrid(keras.callbacks.Callback):
    """Saves `directory/samples_epoch_{epoch:04d}.png` every `every_epochs`
    epochs: the generator's output for a fixed batch of latent vectors, so
    that successive grids show the same samples improving.

    Args:
        directory: where the PNG files go (created if missing).
        rows, columns: the grid's layout.
        seed: seeds the fixed latent batch.
        scale: each pixel becomes a `scale x scale` block (small images).
        every_epochs: save every this many epochs (and after the last).
    """

    def __init__(self, directory, rows=8, columns=8, seed=0, scale=1, every_epochs=1):
        super().__init__()
        if rows < 1 or columns < 1 or scale < 1 or every_epochs < 1:
            raise ValueError(
                "`rows`, `columns`, `scale` and `every_epochs` must be >= 1. Received: "
                f"rows={rows}, columns={columns}, scale={scale}, every_epochs={every_epochs}"
            )
        self.directory = directory
        self.rows, self.columns = rows, columns
        self.seed = seed
        self.scale = scale
        self.every_epochs = every_epochs
        self.paths = []

    def on_train_begin(self, logs=None):
        os.makedirs(self.directory, exist_ok=True)
        latent_dim = self.model.generator.input_shape[-1]
        rng = np.random.default_rng(self.seed)
        self.latents = rng.standard_normal((self.rows * self.columns, latent_dim)).astype("float32")

    def on_epoch_end(self, epoch, logs=None):
        self.last_epoch = epoch
        if (epoch + 1) % self.every_epochs == 0:
            self.save(epoch)

    def on_train_end(self, logs=None):
        last = getattr(self, "last_epoch", None)
        if last is not None and (last + 1) % self.every_epochs:
            self.save(last)

    def save(self, epoch):
        samples = keras.ops.convert_to_numpy(self.model.generator(self.latents, training=False))
        grid = image_grid(samples, self.rows, self.columns)
        grid = np.repeat(np.repeat(grid, self.scale, axis=0), self.scale, axis=1)
        path = os.path.join(self.directory, f"samples_epoch_{epoch + 1:04d}.png")
        write_png(path, grid)
        self.paths.append(path)
        return path
