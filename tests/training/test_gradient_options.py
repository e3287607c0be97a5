"""The [optimizer] keys every build_optimizer task takes: global-norm
clipping caps the update, and accumulating two half batches updates as one
whole batch."""

import keras
import numpy as np
import pytest

from keras_zoo.recipes.fields import GRADIENT_FIELDS
from keras_zoo.training.optimizer_builder import build_optimizer
from keras_zoo.training.tasks import get_task

SECTION = {"name": "adamw", "learning_rate": 1e-2, "reference_batch_size": 0, "weight_decay": 0.0,
           "warmup_epochs": 0.0, "schedule": "constant", "min_learning_rate": 0.0, "beta_1": 0.9, "beta_2": 0.95,
           "epsilon": 1e-8, "ema": False, "ema_momentum": 0.99}


def _trained(section, batches):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.compile(optimizer=build_optimizer(section, 8, 1, len(batches)), loss="mse")
    for x, y in batches:
        model.train_on_batch(x, y)
    return [keras.ops.convert_to_numpy(weight) for weight in model.weights]


@pytest.mark.parametrize("name", ["sgd", "adamw"])
def test_two_accumulated_half_batches_update_as_the_whole_batch(name):
    # Two updates: Adam's first one is lr * sign(gradient), blind to how the batch was split.
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 4)).astype("float32"), rng.normal(size=(16, 3)).astype("float32")
    section = {**SECTION, "name": name}
    whole = _trained(section, [(x[:8], y[:8]), (x[8:], y[8:])])
    halves = _trained({**section, "gradient_accumulation_steps": 2},
                      [(x[i:i + 4], y[i:i + 4]) for i in range(0, 16, 4)])
    no_accumulation = _trained(section, [(x[i:i + 4], y[i:i + 4]) for i in range(0, 16, 4)])
    for a, b, c in zip(whole, halves, no_accumulation, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
        assert not np.allclose(c, a, rtol=1e-3, atol=1e-4)  # four separate updates land elsewhere: the test can tell


def test_the_global_norm_is_clipped():
    optimizer = build_optimizer({**SECTION, "name": "sgd", "learning_rate": 1.0, "global_clipnorm": 1e-3}, 8, 1, 1)
    variable = keras.Variable(np.zeros(5, "float32"))
    optimizer.apply([keras.ops.convert_to_tensor(np.full(5, 100.0, "float32"))], [variable])
    assert np.isclose(np.linalg.norm(keras.ops.convert_to_numpy(variable)), 1e-3, rtol=1e-4)


def test_every_task_whose_optimizer_is_built_here_takes_the_keys():
    for task in ("image_classification", "translation", "language_modeling"):
        assert GRADIENT_FIELDS.items() <= get_task(task).schema["optimizer"].items(), task
