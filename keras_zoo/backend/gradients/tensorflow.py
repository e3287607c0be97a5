"""Gradients on TensorFlow: `tf.GradientTape`, run under `tf.function` by
Keras' TensorFlow trainer."""

import tensorflow as tf


def value_and_grad(loss_fn, variables):
    with tf.GradientTape() as tape:
        loss, aux = loss_fn()
        # Under tf.distribute the optimizer sums the replicas' gradients
        # (as Keras' own train_step, each replica takes its share).
        share = loss / tf.cast(tf.distribute.get_strategy().num_replicas_in_sync, loss.dtype)
    grads = tape.gradient(share, variables, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return loss, aux, grads


def input_gradient(fn, inputs):
    # Called inside the outer tape of `value_and_grad`, which records this
    # inner gradient computation: the penalty is differentiable.
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        outputs = fn(inputs)
    return tape.gradient(outputs, inputs)


def apply_gradients(optimizer, grads, variables):
    optimizer.apply(grads, variables)


class StatefulTrainStep:
    def train_step(self, data):
        return self.stateful_train_step(data)
