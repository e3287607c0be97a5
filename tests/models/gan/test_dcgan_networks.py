"""DCGAN-style generator and critic: shapes, ranges, size validation."""

import numpy as np
import pytest
from keras import ops

from keras_zoo.models.gan import build_dcgan_critic
from keras_zoo.models.gan import build_dcgan_generator


@pytest.mark.parametrize("image_shape", [(8, 8, 1), (16, 24, 3)])
def test_generator_and_critic_shapes(image_shape):
    generator = build_dcgan_generator(image_shape, latent_dim=6, base_filters=4)
    critic = build_dcgan_critic(image_shape, base_filters=4)
    latents = np.random.default_rng(0).normal(size=(2, 6)).astype("float32") * 50
    images = ops.convert_to_numpy(generator(latents))
    assert images.shape == (2, *image_shape)
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert tuple(critic(images).shape) == (2, 1)


def test_critic_batch_norm_is_optional():
    with_norm = build_dcgan_critic((8, 8, 1), base_filters=4, batch_norm=True)
    without = build_dcgan_critic((8, 8, 1), base_filters=4, batch_norm=False)
    names = lambda model: [type(layer).__name__ for layer in model.layers]  # noqa: E731
    assert names(with_norm).count("BatchNormalization") == 2
    assert "BatchNormalization" not in names(without)


@pytest.mark.parametrize("image_shape", [(28, 28, 1), (4, 4, 1), (32, 32)])
def test_image_shape_must_be_multiple_of_eight(image_shape):
    with pytest.raises(ValueError, match=r"Received: image_shape="):
        build_dcgan_generator(image_shape)
