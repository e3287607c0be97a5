"""Gradients on JAX, where Keras' trainer calls `train_step(state, data)`
under `jax.jit` and expects it to be stateless.

`StatefulTrainStep.train_step` opens a `keras.StatelessScope` that maps
every variable of the state (model, optimizers, metrics) to its traced
value, runs the model's stateful training logic, and reads the updated
values back out of the scope. `value_and_grad` differentiates a pure
function that re-runs `loss_fn` in a nested scope; variable updates made
inside it (batch-norm statistics, seed generators) come back as `aux`.
"""

import jax
import keras


def _current_scope():
    # Keras exports `StatelessScope` but not the accessor of the active one.
    from keras.src.backend.common.stateless_scope import get_stateless_scope

    scope = get_stateless_scope()
    if scope is None:
        raise RuntimeError(
            "On JAX, keras_zoo gradients are taken inside the train step's "
            "StatelessScope (StatefulTrainStep.train_step)."
        )
    return scope


def value_and_grad(loss_fn, variables):
    outer = _current_scope()
    before = dict(outer.state_mapping)
    differentiated = {id(variable) for variable in variables}

    def pure_loss(values):
        with keras.StatelessScope(list(zip(variables, values))) as inner:
            inner.state_mapping = {**before, **inner.state_mapping}
            loss, aux = loss_fn()
        updates = {
            key: value
            for key, value in inner.state_mapping.items()
            if key not in differentiated and before.get(key) is not value
        }
        return loss, (aux, updates)

    values = [outer.state_mapping.get(id(v), v.value) for v in variables]
    (loss, (aux, updates)), grads = jax.value_and_grad(pure_loss, has_aux=True)(values)
    outer.state_mapping.update(updates)
    return loss, aux, grads


def input_gradient(fn, inputs):
    return jax.grad(lambda x: fn(x).sum())(inputs)


def apply_gradients(optimizer, grads, variables):
    # The optimizer's stateless form: a stateful `apply` that branches with
    # `ops.cond` (a LossScaleOptimizer skipping a non-finite step) would
    # assign inside `lax.cond` and leak its tracers into the scope.
    scope = _current_scope()
    values = [scope.state_mapping.get(id(v), v.value) for v in variables]
    optimizer_values = [scope.state_mapping.get(id(v), v.value) for v in optimizer.variables]
    new_values, new_optimizer_values = optimizer.stateless_apply(optimizer_values, grads, values)
    for variable, value in zip(list(variables) + list(optimizer.variables), list(new_values) + list(new_optimizer_values)):
        variable.assign(value)  # recorded in the step's scope


class StatefulTrainStep:
    def train_step(self, state, data):
        groups = (
            self.trainable_variables,
            self.non_trainable_variables,
            self.optimizer.variables,
            self.metrics_variables,
        )
        mapping = []
        for variables, values in zip(groups, state):
            mapping.extend(zip(variables, values))
        with keras.StatelessScope(mapping) as scope:
            logs = self.stateful_train_step(data)
        new_state = tuple(
            [scope.get_current_value(variable) for variable in variables] for variables in groups
        )
        return logs, new_state
