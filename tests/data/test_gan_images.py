"""GAN training images: range, size, validation; tfds never downloads."""

import numpy as np
import pytest

from keras_zoo.data.gan_images import digits_gan_images
from keras_zoo.data.gan_images import tfds_gan_dataset


def test_digits_in_tanh_range():
    images = digits_gan_images("train", 16)
    assert images.shape == (1433, 16, 16, 1) and images.dtype == np.float32
    assert images.min() == -1.0 and images.max() == 1.0


def test_sizes_must_be_multiples_of_eight():
    with pytest.raises(ValueError, match="image_size=12"):
        digits_gan_images("train", 12)
    with pytest.raises(ValueError, match="Unknown GAN dataset 'cifar100'"):
        tfds_gan_dataset("cifar100", 32, 8)


def test_unprepared_tfds_dataset_says_how_to_prepare(tmp_path):
    with pytest.raises(RuntimeError, match="tfds build mnist"):
        tfds_gan_dataset("mnist", 32, 8, data_dir=str(tmp_path))
