"""Batch sizes that do not divide evenly across devices."""

import warnings

import keras
import numpy as np


def per_replica_batch_size(global_batch_size, num_replicas):
    """`global_batch_size // num_replicas`; the remainder is dropped with a
    warning rather than crashing the sharded step."""
    if global_batch_size < num_replicas:
        raise ValueError(
            f"The batch size must be at least the number of replicas. "
            f"Received: batch_size={global_batch_size}, replicas={num_replicas}"
        )
    per_replica = global_batch_size // num_replicas
    if per_replica * num_replicas != global_batch_size:
        warnings.warn(
            f"batch_size={global_batch_size} does not divide over {num_replicas} replicas: "
            f"using {per_replica * num_replicas} ({per_replica} per replica)."
        )
    return per_replica


def drop_remainder(arrays, batch_size):
    """The arrays cut to a whole number of `batch_size` batches, so that
    no final partial batch reaches a sharded step."""
    usable = (len(arrays[0]) // batch_size) * batch_size
    if usable == 0:
        raise ValueError(f"Fewer examples ({len(arrays[0])}) than one batch (batch_size={batch_size}).")
    return tuple(array[:usable] for array in arrays)


def divisible_batch_size(batch_size):
    """`batch_size` rounded down to a multiple of the active strategy's or
    mesh's replicas (unchanged on one device)."""
    from keras_zoo.distribution.distribution_strategy import replica_count

    replicas = replica_count()
    return per_replica_batch_size(batch_size, replicas) * replicas if replicas > 1 else batch_size


def pad_batches_to_multiple(dataset, multiple):
    """A batched tf.data pipeline whose batches are padded to a multiple of
    `multiple` by repeating their first examples (with a batch size that
    divides, only a final partial batch changes). Nothing is dropped and
    fewer than `multiple` examples are counted twice, as torch's
    DistributedSampler does; `map` keeps the dataset's length known (a
    `filter` or `rebatch` would make Keras warn that the input ran out)."""
    import tensorflow as tf

    def pad(*batch):
        size = tf.shape(tf.nest.flatten(batch)[0])[0]
        rows = tf.range(-(-size // multiple) * multiple) % size
        padded = tf.cond(size % multiple == 0, lambda: batch,
                         lambda: tf.nest.map_structure(lambda tensor: tf.gather(tensor, rows), batch))
        return padded if len(batch) > 1 else padded[0]

    return dataset.map(pad)


class PaddedBatches(keras.utils.PyDataset):
    """`batches` (a `PyDataset`, e.g. in-memory arrays) with each batch padded
    to a multiple of `multiple` rows by repeating its first rows: what
    `pad_batches_to_multiple` does for tf.data."""

    def __init__(self, batches, multiple):
        super().__init__()
        self.batches, self.multiple = batches, multiple

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, index):
        batch = self.batches[index]
        size = len(keras.tree.flatten(batch)[0])
        if size % self.multiple == 0:
            return batch
        rows = np.arange(-(-size // self.multiple) * self.multiple) % size
        return keras.tree.map_structure(lambda array: np.asarray(array)[rows], batch)

    def on_epoch_end(self):
        self.batches.on_epoch_end()


def replica_divisible_batches(dataset):
    """Evaluation batches that split evenly over the replicas of a JAX mesh,
    where an uneven batch is an error: tf.data through
    `pad_batches_to_multiple`, a `PyDataset` through `PaddedBatches`. Every
    other dataset is returned as is: TensorFlow's strategies split a partial
    batch themselves, and one device needs nothing."""
    from keras_zoo.distribution.distribution_strategy import replica_count

    replicas = replica_count()
    if dataset is None or replicas == 1 or keras.backend.backend() != "jax":
        return dataset
    if hasattr(dataset, "rebatch"):
        return pad_batches_to_multiple(dataset, replicas)
    if isinstance(dataset, keras.utils.PyDataset):
        return PaddedBatches(dataset, replicas)
    return dataset
