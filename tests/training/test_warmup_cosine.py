import math

import keras
import numpy as np
import pytest

from keras_zoo.training import WarmupCosineSchedule
from keras_zoo.training import linear_scaled_learning_rate


def _formula(step, peak, total, warmup, minimum):
    if step < warmup:
        return peak * step / warmup
    t = min((step - warmup) / (total - warmup), 1.0)
    return minimum + 0.5 * (peak - minimum) * (1 + math.cos(math.pi * t))


@pytest.mark.parametrize("step", [0, 1, 10, 19, 20, 21, 50, 99, 100, 150])
def test_values_match_the_formula(step):
    schedule = WarmupCosineSchedule(4e-3, total_steps=100, warmup_steps=20, min_learning_rate=1e-6)
    value = float(keras.ops.convert_to_numpy(schedule(step)))
    np.testing.assert_allclose(value, _formula(step, 4e-3, 100, 20, 1e-6), rtol=1e-5, atol=1e-9)


def test_landmarks():
    schedule = WarmupCosineSchedule(1.0, total_steps=10, warmup_steps=2, min_learning_rate=0.0)
    values = [float(keras.ops.convert_to_numpy(schedule(s))) for s in (0, 1, 2, 6, 10)]
    np.testing.assert_allclose(values, [0.0, 0.5, 1.0, 0.5, 0.0], atol=1e-6)


def test_no_warmup_starts_at_peak():
    schedule = WarmupCosineSchedule(5e-5, total_steps=30, warmup_steps=0)
    np.testing.assert_allclose(float(keras.ops.convert_to_numpy(schedule(0))), 5e-5, rtol=1e-6)


def test_linear_scaling_rule():
    assert linear_scaled_learning_rate(4e-3, 1024, 4096) == pytest.approx(1e-3)
    assert linear_scaled_learning_rate(4e-3, 1024, 0) == 4e-3


def test_config_round_trip():
    schedule = WarmupCosineSchedule(1e-3, 50, 5, 1e-6)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(schedule))
    assert restored.get_config() == schedule.get_config()


@pytest.mark.parametrize(
    "kwargs",
    [dict(peak_learning_rate=-1.0, total_steps=10), dict(peak_learning_rate=1.0, total_steps=10, warmup_steps=10),
     dict(peak_learning_rate=1.0, total_steps=0), dict(peak_learning_rate=1.0, total_steps=10, min_learning_rate=2.0)],
)
def test_rejects_impossible_arguments(kwargs):
    with pytest.raises(ValueError, match="Received"):
        WarmupCosineSchedule(**kwargs)
