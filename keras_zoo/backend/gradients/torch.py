"""Gradients on PyTorch: eager autograd, the way Keras' torch trainer runs."""

import torch


def value_and_grad(loss_fn, variables):
    loss, aux = loss_fn()
    tensors = [variable.value for variable in variables]
    # `torch.autograd.grad` leaves `.grad` untouched: nothing accumulates
    # across the critic and generator steps.
    grads = torch.autograd.grad(loss, tensors, allow_unused=True)
    grads = [torch.zeros_like(t) if g is None else g for g, t in zip(grads, tensors)]
    return loss, aux, grads


def input_gradient(fn, inputs):
    # A fresh leaf: the gradient is taken with respect to these inputs only;
    # `create_graph` keeps it differentiable for the penalty.
    inputs = inputs.detach().requires_grad_(True)
    outputs = fn(inputs)
    (grad,) = torch.autograd.grad(outputs.sum(), inputs, create_graph=True)
    return grad


def apply_gradients(optimizer, grads, variables):
    with torch.no_grad():
        optimizer.apply(grads, variables)


class StatefulTrainStep:
    def train_step(self, data):
        return self.stateful_train_step(data)
