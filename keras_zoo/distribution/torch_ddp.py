"""Data-parallel training of Keras models on PyTorch, one process per
device, launched with `torchrun` (the role DDP plays for torch modules).

Wrapping a Keras model in `torch.nn.parallel.DistributedDataParallel` does
not synchronise `model.fit`: Keras' torch trainer calls the model, not the
DDP wrapper, so no gradient is all-reduced and the replicas drift apart.
Here the optimizer does it (as Horovod's DistributedOptimizer): its
`apply` averages the gradients over all processes before stepping, so
every replica applies the same update to the same weights.

    torchrun --nproc_per_node=8 train.py       # inside train.py:

    torch_ddp.initialize()                      # process group, this rank's GPU
    model = keras_zoo.create_model(...); model.compile(...)
    torch_ddp.distribute_model(model)           # rank 0's weights, all-reduced steps
    x, y = torch_ddp.shard_arrays((x, y))       # this rank's rows
    model.fit(x, y, batch_size=global_batch // torch_ddp.world_size())
"""

import functools
import os

import torch
import torch.distributed as dist


def initialize(backend=None):
    """Joins the process group `torchrun` describes (RANK, WORLD_SIZE,
    MASTER_ADDR...); NCCL with one GPU per process, gloo on CPU. Call it
    before building any model. Without torchrun it does nothing."""
    if dist.is_initialized() or "RANK" not in os.environ:
        return
    if torch.cuda.is_available():
        local_rank, gpus = int(os.environ.get("LOCAL_RANK", 0)), torch.cuda.device_count()
        if local_rank >= gpus:  # NCCL cannot give two processes one GPU
            raise RuntimeError(
                f"torchrun started more processes on this machine than it has GPUs: local rank "
                f"{local_rank} of {gpus} GPU(s). Use --nproc_per_node={gpus}, or hide the GPUs "
                f"(CUDA_VISIBLE_DEVICES='') to run the processes on the CPU."
            )
        # Keras' torch backend places tensors on the current CUDA device.
        torch.cuda.set_device(local_rank)
    dist.init_process_group(backend or ("nccl" if torch.cuda.is_available() else "gloo"))


def world_size():
    return dist.get_world_size() if dist.is_initialized() else 1


def rank():
    return dist.get_rank() if dist.is_initialized() else 0


def average_gradients(grads):
    """The mean of each gradient over all processes, in one all-reduce of a
    flat buffer (as DDP's buckets)."""
    count = world_size()
    if count == 1:
        return list(grads)
    flat = torch.cat([g.reshape(-1).to(torch.float32) for g in grads])
    dist.all_reduce(flat, op=dist.ReduceOp.SUM)
    flat /= count
    averaged, offset = [], 0
    for g in grads:
        averaged.append(flat[offset : offset + g.numel()].reshape(g.shape).to(g.dtype))
        offset += g.numel()
    return averaged


class _AllReducedGradients:
    """Mixed into an optimizer's class: gradients are averaged over the
    processes before anything else (loss-scale finiteness check included,
    so every replica skips or takes the same step)."""

    def apply(self, grads, trainable_variables=None):
        variables = trainable_variables if trainable_variables is not None else self._trainable_variables
        grads = [torch.zeros_like(v.value) if g is None else g for g, v in zip(grads, variables)]
        return super().apply(average_gradients(grads), trainable_variables)


@functools.cache
def _all_reduced_class(optimizer_class):
    # Same name and module as the wrapped class: a saved model reloads
    # with the plain optimizer.
    return type(optimizer_class.__name__, (_AllReducedGradients, optimizer_class),
                {"__module__": optimizer_class.__module__})


def all_reduced(optimizer):
    """Makes `optimizer` (built or not, loss-scaled or not) average its
    gradients over the processes; returns it."""
    if not isinstance(optimizer, _AllReducedGradients):
        optimizer.__class__ = _all_reduced_class(type(optimizer))
    return optimizer


def broadcast_variables(variables, source=0):
    """Every process takes `source`'s values (initial weights differ per
    process unless seeded alike)."""
    if world_size() == 1:
        return
    with torch.no_grad():
        for variable in variables:
            dist.broadcast(variable.value.data, src=source)


def distribute_model(model):
    """After `compile`: rank 0's weights everywhere, and every optimizer of
    the model (both of a GAN) all-reducing its gradients."""
    optimizers = [getattr(model, name) for name in ("d_optimizer", "g_optimizer") if hasattr(model, name)]
    for optimizer in optimizers or [model.optimizer]:
        all_reduced(optimizer)
    broadcast_variables(model.variables)
    return model


def shard_arrays(arrays, rank_=None, world_size_=None):
    """This process's rows of each array: rows `rank, rank + W, ...`, so
    that local batch i holds the same examples the single-device run puts
    in global batch i (batch size divided by W, no shuffling). Rows past a
    multiple of W are dropped: every process runs the same number of steps
    (an extra step on one rank would wait forever in the all-reduce)."""
    index = rank() if rank_ is None else rank_
    count = world_size() if world_size_ is None else world_size_
    usable = (len(arrays[0]) // count) * count
    return tuple(array[:usable][index::count] for array in arrays)
