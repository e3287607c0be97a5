"""Batch sizes that do not divide evenly across devices."""

import warnings


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


def drop_partial_batches(dataset, batch_size):
    """A batched `tf.data.Dataset` whose last, smaller batch is dropped: a
    sharded step (JAX) cannot split it over the devices."""
    return dataset.rebatch(batch_size, drop_remainder=True)


def divisible_batch_size(batch_size):
    """`batch_size` rounded down to a multiple of the active strategy's or
    mesh's replicas (unchanged on one device)."""
    from keras_zoo.distribution.distribution_strategy import replica_count

    replicas = replica_count()
    return per_replica_batch_size(batch_size, replicas) * replicas if replicas > 1 else batch_size


def whole_batches(dataset, batch_size):
    """`drop_partial_batches` when batches are split over several replicas
    and `dataset` is a tf.data pipeline; otherwise `dataset` as is."""
    from keras_zoo.distribution.distribution_strategy import replica_count

    if dataset is None or replica_count() == 1 or not hasattr(dataset, "rebatch"):
        return dataset
    return drop_partial_batches(dataset, batch_size)
