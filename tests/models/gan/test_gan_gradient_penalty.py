"""WGAN-GP's penalty against its analytic value: for a linear critic
`f(x) = w . x + b` the input gradient is `w` at every point."""

import keras
import numpy as np
import pytest
from keras import ops

from keras_zoo.backend import gradients
from keras_zoo.models.gan import GAN
from keras_zoo.models.gan import build_dcgan_generator
from keras_zoo.models.gan import gradient_penalty
from keras_zoo.models.gan.gradient_penalty import interpolate
from keras_zoo.models.gan.gradient_penalty import safe_l2_norm

IMAGE_SHAPE = (8, 8, 1)


def _linear_critic(weights):
    images = keras.Input(IMAGE_SHAPE)
    flat = keras.layers.Flatten()(images)
    dense = keras.layers.Dense(1, kernel_initializer=keras.initializers.Constant(weights.reshape(-1, 1)))
    return keras.Model(images, dense(flat))


def _weights(scale):
    return np.random.default_rng(1).normal(size=64).astype("float32") * scale


@pytest.mark.parametrize("scale", [0.05, 0.5])
def test_penalty_of_linear_critic_is_analytic(scale):
    weights = _weights(scale)
    critic = _linear_critic(weights)
    rng = np.random.default_rng(2)
    real, fake = (rng.uniform(-1, 1, size=(5, *IMAGE_SHAPE)).astype("float32") for _ in range(2))
    alpha = rng.uniform(size=(5, 1, 1, 1)).astype("float32")
    penalty = gradient_penalty(critic, real, fake, alpha, gradients.input_gradient)
    expected = (np.linalg.norm(weights) - 1.0) ** 2
    np.testing.assert_allclose(float(ops.convert_to_numpy(penalty)), expected, rtol=1e-5)


def test_interpolation_is_per_sample():
    real, fake = np.ones((2, 2, 2, 1), "float32"), np.zeros((2, 2, 2, 1), "float32")
    alpha = np.array([0.25, 0.75], "float32").reshape(2, 1, 1, 1)
    mixed = ops.convert_to_numpy(interpolate(real, fake, alpha))
    np.testing.assert_allclose(mixed[0], 0.25)
    np.testing.assert_allclose(mixed[1], 0.75)


def test_norm_has_finite_gradient_at_zero():
    zeros = ops.zeros((3, 4, 4, 1))
    grad = ops.convert_to_numpy(gradients.input_gradient(safe_l2_norm, zeros))
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(ops.convert_to_numpy(safe_l2_norm(zeros)), 0.0)


def test_compiled_train_step_logs_analytic_penalty_and_stays_finite_at_zero_gradient():
    # A zero critic has a zero input gradient: penalty (0 - 1)^2 = 1, and the
    # update through the norm's gradient at zero must stay finite.
    generator = build_dcgan_generator(IMAGE_SHAPE, latent_dim=4, base_filters=2)
    gan = GAN(generator, _linear_critic(np.zeros(64, "float32")), loss="wasserstein", gradient_penalty_weight=10.0, seed=0)
    gan.compile()
    history = gan.fit(np.zeros((4, *IMAGE_SHAPE), "float32"), batch_size=4, epochs=1, verbose=0)
    np.testing.assert_allclose(history.history["gradient_penalty"][0], 1.0, rtol=1e-6)
    for variable in gan.discriminator.trainable_variables:
        assert np.all(np.isfinite(ops.convert_to_numpy(variable)))

    # With weights w, the first critic step logs (||w|| - 1)^2.
    weights = _weights(0.3)
    gan = GAN(generator, _linear_critic(weights), loss="wasserstein", gradient_penalty_weight=10.0, seed=0)
    gan.compile()
    history = gan.fit(np.zeros((4, *IMAGE_SHAPE), "float32"), batch_size=4, epochs=1, verbose=0)
    np.testing.assert_allclose(history.history["gradient_penalty"][0], (np.linalg.norm(weights) - 1) ** 2, rtol=1e-5)


def test_penalty_rejects_batch_norm_in_critic():
    generator = build_dcgan_generator(IMAGE_SHAPE, latent_dim=4, base_filters=2)
    images = keras.Input(IMAGE_SHAPE)
    critic = keras.Model(images, keras.layers.Dense(1)(keras.layers.BatchNormalization(name="bn")(keras.layers.Flatten()(images))))
    with pytest.raises(ValueError, match="without batch normalization.*'bn'"):
        GAN(generator, critic, loss="wasserstein", gradient_penalty_weight=10.0)
