"""The per-backend gradient modules behind keras_zoo.backend.gradients."""

import keras
import numpy as np
from keras import ops

from keras_zoo.backend import gradients


class _QuadraticFit(gradients.StatefulTrainStep, keras.Model):
    """One variable `w`; each step takes an SGD step on `sum((w - t)^2)` and
    draws a random number inside the loss (a state update to carry out)."""

    def __init__(self, initial, **kwargs):
        super().__init__(**kwargs)
        self.w = self.add_weight(shape=(len(initial),), initializer=keras.initializers.Constant(initial), name="w")
        self.seed_generator = keras.random.SeedGenerator(7)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.built = True

    @property
    def metrics(self):
        return [self.loss_tracker]

    def stateful_train_step(self, data):
        target = ops.mean(data, axis=0)

        def loss_fn():
            noise = keras.random.uniform((), seed=self.seed_generator)
            return ops.sum(ops.square(self.w - target)), noise

        loss, noise, grads = gradients.value_and_grad(loss_fn, [self.w])
        gradients.apply_gradients(self.optimizer, grads, [self.w])
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result(), "noise": noise}


def test_train_step_takes_analytic_sgd_step_and_keeps_state_updates():
    initial = np.array([1.0, -2.0, 0.5], "float32")
    target = np.array([0.0, 1.0, 2.0], "float32")
    model = _QuadraticFit(initial)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1))
    seed_before = np.array(keras.ops.convert_to_numpy(model.seed_generator.state))
    history = model.fit(np.tile(target, (4, 1)), batch_size=4, epochs=1, verbose=0)
    # w <- w - lr * 2 (w - t)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model.w), initial - 0.2 * (initial - target), rtol=1e-6)
    np.testing.assert_allclose(history.history["loss"][0], np.sum((initial - target) ** 2), rtol=1e-6)
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) == 1
    # The seed generator advanced inside the differentiated function.
    assert not np.array_equal(keras.ops.convert_to_numpy(model.seed_generator.state), seed_before)


def test_input_gradient_of_a_quadratic():
    x = ops.convert_to_tensor(np.array([[1.0, -2.0], [0.5, 3.0]], "float32"))
    grad = gradients.input_gradient(lambda inputs: 3.0 * ops.square(inputs), x)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(grad), 6.0 * keras.ops.convert_to_numpy(x), rtol=1e-6)
