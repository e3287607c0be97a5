"""Repeated augmentation (Hoffer et al. 2020, "Augment your batch"; Berman
et al. 2019), as DeiT trains with it (Touvron et al. 2021, `--repeated-aug`;
RASampler in facebookresearch/deit `samplers.py`, RepeatAugSampler in
timm's `data/distributed_sampler.py`): each image of the shuffled stream
appears `num_repeats` times, each copy augmented on its own. The epoch keeps
the dataset's length, so it sees about 1/num_repeats of the images.

Where the copies go. RASampler repeats the shuffled indices
(`[a, a, a, b, b, b, ...]`) and gives replica r the positions r, r + R,
r + 2R, ...: consecutive copies go to different replicas. Keras'
data-parallel distributions split each global batch into R contiguous
shards instead (JAX `DataParallel`: the batch axis sharded over the mesh,
across processes a `rebatch` + `shard`; tf.distribute: a `rebatch` into
per-replica batches). So each global batch of the repeated stream is
reordered to put RASampler's position j into shard j % R, and every replica
sees what RASampler would give it: copies on different replicas whenever
num_repeats <= R (when num_repeats > R, at most ceil(num_repeats / R) copies
per replica, as in RASampler). With one replica the copies stay consecutive,
as timm's and DeiT's samplers leave them (Hoffer et al. batch them together
on purpose).

One process per replica with its own tf.data shard (RASampler's own
`indices[rank::W]`) wants the stream built with num_replicas=1 and
`.shard(W, rank)` after it, never before: a process that repeats only its
own shard keeps every copy to itself.
"""


def repeated_augmentation(dataset, num_repeats, batch_size, num_replicas=1):
    """Each example `num_repeats` times, in the order described above.

    Args:
        dataset: tf.data.Dataset of un-augmented, shuffled, unbatched
            examples, of known length N.
        num_repeats: int >= 1, the copies of each example.
        batch_size: int, the global batch size the stream is batched into
            from its start.
        num_replicas: int >= 1 dividing `batch_size`, the data-parallel
            replicas that split each global batch into contiguous shards.

    Returns:
        A dataset of `(copy, example)`, `copy` in [0, num_repeats) (int64):
        the first ceil(N / num_repeats) examples of each pass, repeated (the
        last may have fewer copies), N elements in all (N // batch_size whole
        batches when num_replicas > 1).
    """
    import tensorflow as tf

    for name, value in (("num_repeats", num_repeats), ("num_replicas", num_replicas)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be an int >= 1. Received: {name}={value!r}")
    if batch_size % num_replicas:
        raise ValueError(
            "batch_size must be a multiple of num_replicas, so that each replica's shard is whole. "
            f"Received: batch_size={batch_size}, num_replicas={num_replicas}"
        )
    length = int(dataset.cardinality())
    if length < 0:
        raise ValueError(
            "Repeated augmentation keeps the epoch at the dataset's length, which must be known. "
            f"Received: a dataset of cardinality {length} (-1: infinite, -2: unknown)."
        )

    def copies(*example):
        example = example if len(example) > 1 else example[0]
        return tf.data.Dataset.from_tensors(example).repeat(num_repeats).enumerate()

    # Lazy: only the ~N / num_repeats examples this pass uses leave the shuffle.
    repeated = dataset.flat_map(copies).take(length)
    if num_replicas > 1:
        length = length // batch_size * batch_size
        # Row j of each global batch (RASampler's order) goes to shard j % R.
        # Grouped by shard, a global batch fills shard 0's window first, then
        # shard 1's...: out they come shard after shard. Windows, unlike a
        # batch, hold images of different sizes (uncropped photos).
        repeated = repeated.take(length).enumerate().group_by_window(
            key_func=lambda row, copied: row % num_replicas,
            reduce_func=lambda shard, window: window.map(lambda row, copied: copied),
            window_size=batch_size // num_replicas,
        )
    # flat_map and group_by_window hide the length; Keras' progress bar wants it.
    return repeated.apply(tf.data.experimental.assert_cardinality(length))
