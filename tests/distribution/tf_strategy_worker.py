"""Run by test_tf_strategy.py in a fresh process: the CPU split into four
logical devices, the same tiny ConvNeXt trained on one device and under
MirroredStrategy; saves losses, weights and whether replicas agree."""

import sys

from keras_zoo.distribution import tf_strategy

tf_strategy.split_cpu(4)  # before anything initialises TensorFlow's devices

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import keras_zoo  # noqa: E402
from keras_zoo.distribution.batching import drop_remainder  # noqa: E402
from keras_zoo.distribution.batching import per_replica_batch_size  # noqa: E402

REQUESTED_BATCH = 6  # does not divide over 4 replicas: 4 is used


def train(batch_size):
    keras.utils.set_random_seed(0)
    # Layer scale 1 (not the paper's 1e-6) and Adam: every weight gets a
    # full-size gradient and step, far above the test's tolerance.
    model = keras_zoo.create_model("convnext_atto", depths=(1, 1, 1, 1), dims=(8, 16, 32, 64),
                                   input_shape=(32, 32, 3), num_classes=3, layer_scale_init_value=1.0)
    initial = [keras.ops.convert_to_numpy(w) for w in model.weights]
    model.compile(optimizer=keras.optimizers.Adam(3e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.default_rng(0)
    x, y = drop_remainder((rng.normal(size=(18, 32, 32, 3)).astype("float32"), rng.integers(0, 3, 18)), batch_size)
    history = model.fit(x, y, batch_size=batch_size, epochs=2, shuffle=False, verbose=0)
    return model, np.array(history.history["loss"]), initial


def main(out_path):
    strategy = tf_strategy.data_parallel_strategy()
    assert strategy.num_replicas_in_sync == 4, strategy.extended.worker_devices
    batch = per_replica_batch_size(REQUESTED_BATCH, strategy.num_replicas_in_sync) * strategy.num_replicas_in_sync
    results = {}
    single, results["single_losses"], initial = train(batch)
    with strategy.scope():
        mirrored, results["mirrored_losses"], _ = train(batch)
        copies = [tf_strategy.replica_values(w) for w in mirrored.weights]
    results["replicas"] = len(copies[0])
    results["replicas_identical"] = all(np.array_equal(c, cs[0]) for cs in copies for c in cs)
    for i, (a, b) in enumerate(zip(single.weights, mirrored.weights)):
        results[f"single_w{i}"], results[f"mirrored_w{i}"] = keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b)
        results[f"initial_w{i}"] = initial[i]
    np.savez(out_path, **results)


if __name__ == "__main__":
    main(sys.argv[1])
