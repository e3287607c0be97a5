"""Run by test_torch_ddp.py, alone or under `torchrun --nproc_per_node=2`:
trains a tiny ConvNeXt for two epochs with a global batch that does not
divide over the processes and saves this rank's epoch losses and weights."""

import sys
import warnings

import keras
import numpy as np

import keras_zoo
from keras_zoo.distribution import torch_ddp
from keras_zoo.distribution.batching import drop_remainder
from keras_zoo.distribution.batching import per_replica_batch_size

GLOBAL_BATCH = 7  # odd: 3 per process on 2 processes, the remainder dropped
REPLICAS = 2


def train():
    """Returns the epoch losses and final weights of this process."""
    keras.utils.set_random_seed(torch_ddp.rank())  # ranks start apart: the broadcast must align them
    model = keras_zoo.create_model("convnext_atto", depths=(1, 1, 1, 1), dims=(8, 16, 32, 64),
                                   input_shape=(32, 32, 3), num_classes=3)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    torch_ddp.distribute_model(model)

    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 32, 32, 3)).astype("float32")
    y = rng.integers(0, 3, size=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        per_replica = per_replica_batch_size(GLOBAL_BATCH, REPLICAS)
    # The single-process reference runs the same global batch (6) whole.
    batch = per_replica * REPLICAS // torch_ddp.world_size()
    x, y = drop_remainder((x, y), per_replica * REPLICAS)
    x, y = torch_ddp.shard_arrays((x, y))
    history = model.fit(x, y, batch_size=batch, epochs=2, shuffle=False, verbose=0)
    return np.array(history.history["loss"]), [keras.ops.convert_to_numpy(w) for w in model.weights]


if __name__ == "__main__":
    torch_ddp.initialize()
    losses, weights = train()
    out_path = sys.argv[1].replace("RANK", str(torch_ddp.rank()))
    np.savez(out_path, losses=losses, **{f"w{i}": w for i, w in enumerate(weights)})
