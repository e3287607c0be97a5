"""The Fréchet distance against analytic values and scipy's matrix root."""

import numpy as np
import pytest

from keras_zoo.evaluation.frechet_distance import frechet_distance


def _features(seed, n=400, d=6):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)) @ rng.normal(size=(d, d))


def test_identical_sets_are_at_zero():
    features = _features(0)
    assert abs(frechet_distance(features, features)) < 1e-8


def test_a_shift_adds_its_squared_length():
    features = _features(1)
    shift = np.array([1.0, -2.0, 0.5, 0.0, 3.0, 1.0])
    np.testing.assert_allclose(frechet_distance(features, features + shift), np.sum(shift**2), rtol=1e-8)


def test_scaled_set_matches_closed_form():
    # C_b = 4 C_a: tr(C_a + 4 C_a - 2 * 2 C_a) = tr(C_a).
    features = _features(2)
    features -= features.mean(axis=0)  # so that scaling leaves the mean at 0
    expected = np.trace(np.cov(features, rowvar=False))
    np.testing.assert_allclose(frechet_distance(features, 2.0 * features), expected, rtol=1e-8)


def test_matches_scipy_sqrtm():
    from scipy import linalg

    a, b = _features(3), _features(4) + 1.0
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    expected = np.sum((a.mean(0) - b.mean(0)) ** 2) + np.trace(cov_a + cov_b - 2 * linalg.sqrtm(cov_a @ cov_b).real)
    np.testing.assert_allclose(frechet_distance(a, b), expected, rtol=1e-6)


def test_rejects_mismatched_features():
    with pytest.raises(ValueError, match=r"\(10, 3\) and \(10, 4\)"):
        frechet_distance(np.zeros((10, 3)), np.zeros((10, 4)))
