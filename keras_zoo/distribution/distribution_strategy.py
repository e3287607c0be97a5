"""One switch for every engine: `train.distribution` in a recipe.

    with distribution_scope("auto"):
        model = keras_zoo.create_model(...)
        model.compile(...)
        prepare_compiled_model(model)
        model.fit(x, y, batch_size=global_batch_size // replica_count())  # torch: per process

- "none": one device.
- "data_parallel": every device holds a replica; batches are split.
  TensorFlow: tf.distribute (Mirrored, MultiWorkerMirrored from TF_CONFIG,
  TPU when TPU_NAME is set); JAX: keras.distribution.DataParallel; PyTorch:
  one process per device under torchrun, gradients all-reduced.
- "model_parallel": JAX only, keras.distribution.ModelParallel on a
  (batch, model) mesh with the model's layout map (`layout=`: its
  backbone's `model_parallel_layout`, `keras_zoo.distribution.model_parallel_layout(name)`).
- "auto": data_parallel when more than one device (or torchrun process)
  is visible, otherwise none.
"""

import contextlib
import os

import keras

DISTRIBUTIONS = ("auto", "none", "data_parallel", "model_parallel")


def check_distribution(distribution):
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"Unknown distribution {distribution!r}. Valid: {list(DISTRIBUTIONS)}")
    return distribution


def visible_device_count():
    """Devices this job can train on: accelerators (all CPU devices when
    there are none), or torchrun's processes."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return len(tf.config.list_logical_devices("GPU")) or len(tf.config.list_logical_devices("TPU")) or 1
    if backend == "jax":
        return len(keras.distribution.list_devices())
    if backend == "torch":
        from keras_zoo.distribution import torch_ddp

        return int(os.environ.get("WORLD_SIZE", torch_ddp.world_size()))
    return 1


def resolve_distribution(distribution):
    """"auto" made concrete for this machine."""
    if check_distribution(distribution) == "auto":
        return "data_parallel" if visible_device_count() > 1 else "none"
    return distribution


@contextlib.contextmanager
def distribution_scope(distribution="auto", model_parallel_size=2, layout=None):
    """Build, compile and fit inside: variables are laid out (or mirrored)
    as they are created. `layout`: the layout map "model_parallel" shards
    with (`{variable path regex: axes}`)."""
    distribution = resolve_distribution(distribution)
    backend = keras.backend.backend()
    if distribution == "model_parallel" and backend != "jax":
        raise ValueError(
            f"distribution='model_parallel' needs the JAX backend (keras.distribution.ModelParallel). "
            f"Received: backend={backend!r}. Valid here: 'none', 'data_parallel', 'auto'."
        )
    if distribution == "model_parallel" and layout is None:
        raise ValueError(
            "distribution='model_parallel' needs the model's layout map. Received: layout=None. "
            "Pass layout=keras_zoo.distribution.model_parallel_layout(model_name) (a backbone's `model_parallel_layout`)."
        )
    if distribution == "none":
        yield
    elif backend == "tensorflow":
        from keras_zoo.distribution import tf_strategy

        with tf_strategy.data_parallel_strategy(tpu=os.environ.get("TPU_NAME")).scope():
            yield
    elif backend == "jax":
        from keras_zoo.distribution import jax_distribution

        previous = keras.distribution.distribution()
        keras.distribution.set_distribution(
            jax_distribution.data_parallel() if distribution == "data_parallel"
            else jax_distribution.model_parallel(layout, model_parallel_size=model_parallel_size)
        )
        try:
            yield
        finally:
            keras.distribution.set_distribution(previous)
    else:  # torch: one process per device, started by torchrun
        from keras_zoo.distribution import torch_ddp

        torch_ddp.initialize()
        yield


def prepare_compiled_model(model):
    """After `compile`: on PyTorch under torchrun, rank 0's weights and
    all-reducing optimizers (`torch_ddp.distribute_model`). Elsewhere the
    strategy or layout already did the work."""
    if keras.backend.backend() == "torch":
        from keras_zoo.distribution import torch_ddp

        if torch_ddp.world_size() > 1:
            torch_ddp.distribute_model(model)
    return model


def replica_count():
    """How many ways `fit`'s batch is split in this process's view: the
    strategy's or mesh's replicas; on torch, 1 (each process feeds its own
    batch of `global // world_size`)."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.distribute.get_strategy().num_replicas_in_sync
    if backend == "jax":
        current = keras.distribution.distribution()
        if current is None:
            return 1
        mesh = current.device_mesh
        return mesh.shape[mesh.axis_names.index(current.batch_dim_name)]
    return 1
