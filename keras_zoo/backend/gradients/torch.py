"""Gradients on PyTorch: eager autograd, the way Keras' torch trainer runs."""

import contextlib

import keras
import torch

# A step whose batch holds at most this many input elements runs its CPU ops on
# one intra-op thread. Such ops are too small to split (it is torch's own
# `at::internal::GRAIN_SIZE`, below which its elementwise kernels stay on one
# thread; oneDNN's convolutions split anyway), and when other processes keep
# the cores busy, every op's OpenMP barrier waits for a descheduled thread: the
# default WGAN-GP digits step ran 11-17x slower on 2 threads than on 1 on a
# 2-core machine at load 8-13, while on the idle machine one thread costs 11%
# (benchmarks/gan_torch_step.py): a bounded loss against an unbounded one. The
# arithmetic is unchanged (a reduction may add in another order).
SINGLE_THREAD_MAX_ELEMENTS = 32768


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


def step_threads(data):
    """The intra-op thread count for a step on `data`: 1 for a small batch
    on the CPU, else None (leave torch's setting)."""
    tensors = [t for t in keras.tree.flatten(data) if isinstance(t, torch.Tensor)]
    if not tensors or tensors[0].device.type != "cpu":
        return None
    return 1 if sum(t.numel() for t in tensors) <= SINGLE_THREAD_MAX_ELEMENTS else None


@contextlib.contextmanager
def intra_op_threads(count):
    """Runs the block with `count` intra-op threads (None: unchanged)."""
    previous = torch.get_num_threads()
    if count is None or count == previous:
        yield
        return
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


class StatefulTrainStep:
    def train_step(self, data):
        with intra_op_threads(step_threads(data)):
            return self.stateful_train_step(data)
