"""EMA of the weights, as the recipes configure it (the optimizer's own EMA,
evaluated and checkpointed through keras.callbacks.SwapEMAWeights)."""

import keras
import numpy as np

from keras_zoo.recipes.schema import defaults
from keras_zoo.training import build_optimizer


def _sgd_with_ema(momentum):
    section = {**defaults()["optimizer"], "name": "sgd", "learning_rate": 0.1, "beta_1": 0.0,
               "schedule": "constant", "ema": True, "ema_momentum": momentum}
    return build_optimizer(section, batch_size=1, epochs=1, steps_per_epoch=3)


def test_ema_matches_a_hand_computation():
    optimizer = _sgd_with_ema(0.5)
    variable = keras.Variable(np.array([1.0, -2.0], "float32"))
    grads = [np.array([1.0, 0.0], "float32"), np.array([2.0, 4.0], "float32"), np.array([-1.0, 1.0], "float32")]
    value, average = np.array([1.0, -2.0]), None
    for grad in grads:
        optimizer.apply([keras.ops.convert_to_tensor(grad)], [variable])
        value = value - 0.1 * grad
        # Keras starts the average at the first updated value, then blends.
        average = value.copy() if average is None else 0.5 * average + 0.5 * value
    np.testing.assert_allclose(keras.ops.convert_to_numpy(variable), value, rtol=1e-6)
    optimizer.finalize_variable_values([variable])  # writes the EMA into the variable
    np.testing.assert_allclose(keras.ops.convert_to_numpy(variable), average, rtol=1e-6)
    assert not np.allclose(average, value)  # the test would notice a missing EMA


def test_ema_off_by_default():
    section = {**defaults()["optimizer"]}
    assert not build_optimizer(section, batch_size=8, epochs=2, steps_per_epoch=4).use_ema


def test_the_recipes_adam_epsilon_reaches_the_optimizer():
    # DeiT's and MAE's recipes set timm's 1e-8; Keras' default is 1e-7.
    for name in ("adamw", "adam"):
        section = {**defaults()["optimizer"], "name": name, "epsilon": 1e-8}
        assert build_optimizer(section, batch_size=8, epochs=2, steps_per_epoch=4).epsilon == 1e-8
    assert build_optimizer({**defaults()["optimizer"]}, batch_size=8, epochs=2, steps_per_epoch=4).epsilon == 1e-7
