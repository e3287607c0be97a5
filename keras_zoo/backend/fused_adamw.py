"""Keras' Adam update in one kernel per variable, where the backend has one.

Keras' AdamW on PyTorch runs its update as `torch._foreach_*` ops, which on
the CPU loop over the variables op by op, with temporaries: 166 ms per update
for ConvNeXt-T's 28.6M weights on a 2-core CPU, against 54 ms for
`torch.optim.AdamW` and 19 ms for its fused kernel (`torch._fused_adamw_`,
CPU and CUDA), which this module uses: 27 ms (`python -m
benchmarks.optimizer_update`, benchmarks/results/cpu_optimizer_update.json).
XLA already fuses the update on JAX, and TensorFlow keeps Keras' own.
"""

import math

import keras

FUSED_ADAMW = keras.backend.backend() == "torch"


def fused_update_applies():
    """Whether `fused_adam_update` may run now: on PyTorch, and not while
    `torch.compile` traces the step (`jit_compile=True`), whose
    functionalization refuses the kernel's in-place updates; Keras' own
    update is traced there instead."""
    if not FUSED_ADAMW:
        return False
    import torch

    return not torch.compiler.is_compiling()


def fused_adam_update(variables, grads, momentums, velocities, learning_rate, beta_1, beta_2, epsilon, step):
    """One Adam update of torch tensors in place, as Keras computes it.

    Keras adds `epsilon` to sqrt(v) before the bias correction of v; PyTorch
    after it. Passing epsilon / sqrt(1 - beta_2^step) to PyTorch's kernel gives
    Keras' update. Weight decay is left to the caller (Keras applies it before
    the update, with its exclusions).

    Args:
        variables, grads, momentums, velocities: lists of torch tensors,
            one per variable.
        learning_rate, beta_1, beta_2, epsilon: floats.
        step: int, the 1-based number of this update.
    """
    import torch

    groups = {}  # PyTorch's kernel takes tensors of one device and dtype
    for tensors in zip(variables, grads, momentums, velocities):
        groups.setdefault((tensors[0].device, tensors[0].dtype), []).append(tensors)
    kernel_epsilon = epsilon / math.sqrt(1.0 - beta_2**step)
    with torch.no_grad():
        for (device, _), group in groups.items():
            group_variables, group_grads, group_momentums, group_velocities = map(list, zip(*group))
            step_tensor = torch.tensor(float(step), device=device)
            torch._fused_adamw_(
                group_variables,
                [grad.to(variable.dtype) for grad, variable in zip(group_grads, group_variables)],
                group_momentums,
                group_velocities,
                [],  # max_exp_avg_sqs: amsgrad only
                [step_tensor] * len(group_variables),
                lr=learning_rate,
                beta1=beta_1,
                beta2=beta_2,
                weight_decay=0.0,
                eps=kernel_epsilon,
                amsgrad=False,
                maximize=False,
            )
