"""Images for GAN training, scaled to [-1, 1] (the generator's tanh range).

The digits come with the package (no network); MNIST and CelebA are read
through tensorflow-datasets from data already prepared on disk only.
"""

import keras
import numpy as np

from keras_zoo.data.digits import load_digits

# tfds name -> (image key, centre crop side or None). CelebA's 178x218
# faces are cropped to the central 140x140 before resizing (the usual
# DCGAN/WGAN-GP CelebA preprocessing).
_TFDS_GAN_DATASETS = {"mnist": ("image", None), "celeb_a": ("image", 140)}


def digits_gan_images(split="train", image_size=16):
    """UCI digits `(N, image_size, image_size, 1)` float32 in [-1, 1],
    upsampled from 8x8 by repeating pixels (average pooling undoes it)."""
    if image_size % 8:
        raise ValueError(f"`image_size` must be a multiple of 8. Received: image_size={image_size}")
    images, _ = load_digits(split)
    factor = image_size // 8
    images = np.repeat(np.repeat(images, factor, axis=1), factor, axis=2)
    return images * 2.0 - 1.0


class ImageBatches(keras.utils.PyDataset):
    """Batches of in-memory images (no labels) for a GAN's `fit`, on every
    backend without tf.data, reshuffled each epoch from `seed`."""

    def __init__(self, images, batch_size, seed=0, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"`batch_size` must be a positive int. Received: batch_size={batch_size}")
        self.images, self.batch_size = images, batch_size
        self._rng = np.random.default_rng(seed)
        self._order = np.arange(len(images))
        self.on_epoch_end()

    def __len__(self):
        return -(-len(self.images) // self.batch_size)

    def __getitem__(self, index):
        return self.images[self._order[index * self.batch_size : (index + 1) * self.batch_size]]

    def on_epoch_end(self):
        self._rng.shuffle(self._order)


def tfds_gan_dataset(name, image_size, batch_size, data_dir=None, split="train", seed=0):
    """A shuffled, batched `tf.data.Dataset` of float32 images in [-1, 1],
    resized to `image_size` (a multiple of 8). Never downloads."""
    import tensorflow as tf
    import tensorflow_datasets as tfds

    if name not in _TFDS_GAN_DATASETS:
        raise ValueError(f"Unknown GAN dataset '{name}'. Valid: {', '.join(_TFDS_GAN_DATASETS)}")
    if image_size % 8:
        raise ValueError(f"`image_size` must be a multiple of 8. Received: image_size={image_size}")
    builder = tfds.builder(name, data_dir=data_dir or None)
    if not builder.is_prepared():
        from keras_zoo.data.tfds_datasets import DatasetNotPreparedError

        raise DatasetNotPreparedError(
            f"Dataset '{name}' is not prepared (looked for {builder.data_path}). Run once, with "
            f"network access:\n    tfds build {name}" + (f" --data_dir {data_dir}" if data_dir else "")
        )
    key, crop = _TFDS_GAN_DATASETS[name]

    def preprocess(example):
        image = tf.cast(example[key], tf.float32)
        if crop is not None:
            image = tf.image.resize_with_crop_or_pad(image, crop, crop)
        image = tf.image.resize(image, (image_size, image_size), antialias=True)
        return image / 127.5 - 1.0

    dataset = builder.as_dataset(split=split, shuffle_files=True)
    return (
        dataset.map(preprocess, num_parallel_calls=tf.data.AUTOTUNE)
        .shuffle(10_000, seed=seed)
        .batch(batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
