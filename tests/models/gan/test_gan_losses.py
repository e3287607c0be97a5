"""The GAN objectives against their formulas, in numpy."""

import numpy as np
from keras import ops

from keras_zoo.models.gan import MinimaxGANLoss
from keras_zoo.models.gan import WassersteinGANLoss

REAL = np.array([[2.0], [-1.0], [0.5]], "float32")
FAKE = np.array([[-3.0], [0.25], [1.0]], "float32")


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _value(tensor):
    return float(ops.convert_to_numpy(tensor))


def test_minimax_losses():
    loss = MinimaxGANLoss()
    expected_d = -np.mean(np.log(_sigmoid(REAL))) - np.mean(np.log(1 - _sigmoid(FAKE)))
    np.testing.assert_allclose(_value(loss.discriminator_loss(REAL, FAKE)), expected_d, rtol=1e-5)
    np.testing.assert_allclose(_value(loss.generator_loss(FAKE)), -np.mean(np.log(_sigmoid(FAKE))), rtol=1e-5)
    saturating = MinimaxGANLoss(non_saturating=False)
    np.testing.assert_allclose(
        _value(saturating.generator_loss(FAKE)), np.mean(np.log(1 - _sigmoid(FAKE))), rtol=1e-5
    )


def test_minimax_is_stable_for_large_logits():
    loss = MinimaxGANLoss()
    value = _value(loss.discriminator_loss(np.array([[100.0]], "float32"), np.array([[-100.0]], "float32")))
    assert np.isfinite(value) and value < 1e-6


def test_wasserstein_losses():
    loss = WassersteinGANLoss()
    estimate = REAL.mean() - FAKE.mean()
    np.testing.assert_allclose(_value(loss.wasserstein_estimate(REAL, FAKE)), estimate, rtol=1e-6)
    np.testing.assert_allclose(_value(loss.discriminator_loss(REAL, FAKE)), -estimate, rtol=1e-6)
    np.testing.assert_allclose(_value(loss.generator_loss(FAKE)), -FAKE.mean(), rtol=1e-6)
