import numpy as np
import pytest

import keras
from keras_zoo.layers import StochasticDepth
from keras_zoo.testing import check_layer


def test_layer_checks(tmp_path):
    check_layer(lambda **kw: StochasticDepth(0.2, seed=1, **kw), (4, 3, 3, 2), str(tmp_path))


def test_identity_at_inference():
    x = np.random.default_rng(0).normal(size=(8, 4)).astype("float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(StochasticDepth(0.5, seed=0)(x)), x)


def test_training_drops_whole_samples_and_rescales_survivors():
    rate = 0.3
    x = np.ones((4000, 2, 3), "float32")
    y = keras.ops.convert_to_numpy(StochasticDepth(rate, seed=0)(x, training=True))
    per_sample = y.reshape(len(y), -1)
    # Each sample is either dropped entirely or kept whole and scaled by 1/(1-rate).
    kept = per_sample[:, 0] > 0
    np.testing.assert_allclose(per_sample[kept], 1 / (1 - rate), rtol=1e-6)
    np.testing.assert_array_equal(per_sample[~kept], 0)
    # 4000 Bernoulli(0.7) draws: the kept fraction is within 5 sigma of 0.7.
    assert abs(kept.mean() - (1 - rate)) < 5 * np.sqrt(rate * (1 - rate) / len(kept))


def test_fresh_mask_each_call():
    layer = StochasticDepth(0.5, seed=0)
    x = np.ones((64, 1), "float32")
    first = keras.ops.convert_to_numpy(layer(x, training=True))
    second = keras.ops.convert_to_numpy(layer(x, training=True))
    assert not np.array_equal(first, second)


def test_trains_inside_compiled_fit():
    # keras.applications' ConvNeXt fails here on JAX (keras issue 18404).
    inputs = keras.Input((6,))
    x = keras.layers.Dense(6)(inputs)
    outputs = keras.layers.Dense(1)(inputs + StochasticDepth(0.5, seed=3)(x))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse", jit_compile=keras.backend.backend() != "torch")
    data = np.random.default_rng(0).normal(size=(32, 6)).astype("float32")
    history = model.fit(data, data[:, :1], epochs=2, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


@pytest.mark.parametrize("bad", [-0.1, 1.0, 1.5, "0.1"])
def test_rejects_invalid_rate(bad):
    with pytest.raises(ValueError, match="rate"):
        StochasticDepth(bad)
