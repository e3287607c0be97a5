"""Run by test_jax_distribution.py in a fresh process with four forced host
devices: the same tiny ConvNeXt trained on one device, data-parallel over
four and model-parallel on a 2x2 mesh (with the depthwise formulation
"auto" picks, and again with "shifted"); saves the losses, the initial and
final weights. Also evaluates a dataset whose last batch does not split
over the devices."""

import sys
import warnings

import keras
import numpy as np

import keras_zoo
from keras_zoo.data.array_batches import ArrayBatches
from keras_zoo.distribution import jax_distribution
from keras_zoo.distribution.batching import drop_remainder
from keras_zoo.distribution.batching import per_replica_batch_size
from keras_zoo.distribution.batching import replica_divisible_batches
from keras_zoo.models.convnext import ConvNeXtBackbone

REQUESTED_BATCH = 6  # does not divide over 4 devices: 4 is used
LAYOUT = ConvNeXtBackbone.model_parallel_layout


def train(distribution, batch_size, formulation="auto"):
    """Returns the trained model, its epoch losses and its initial weights."""
    keras.distribution.set_distribution(distribution)
    keras.utils.set_random_seed(0)
    # Layer scale 1 (not the paper's 1e-6) and Adam: every weight gets a
    # full-size gradient and a full-size step, so each moves far more than
    # the test's tolerance (test_every_compared_weight_moved).
    model = keras_zoo.create_model("convnext_atto", depths=(1, 1, 1, 1), dims=(8, 16, 32, 64),
                                   input_shape=(32, 32, 3), num_classes=3, layer_scale_init_value=1.0)
    for layer in model.backbone.layers:
        if hasattr(getattr(layer, "dwconv", None), "formulation"):
            layer.dwconv.formulation = formulation
    initial = [np.array(weight.value) for weight in model.weights]
    model.compile(optimizer=keras.optimizers.Adam(3e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.default_rng(0)
    x, y = drop_remainder((rng.normal(size=(18, 32, 32, 3)).astype("float32"), rng.integers(0, 3, 18)), batch_size)
    history = model.fit(x, y, batch_size=batch_size, epochs=2, shuffle=False, verbose=0)
    keras.distribution.set_distribution(None)
    return model, np.array(history.history["loss"]), initial


def depthwise_formulations(model, batch_size):
    """What each block's depthwise conv computes with in training."""
    return [layer.dwconv.resolved_formulation((batch_size, *layer.input.shape[1:]))
            for layer in model.backbone.layers if hasattr(layer, "dwconv")]


def replicas_identical(model):
    """Every device's copy of every weight is the same."""
    for variable in model.weights:
        shards = {}
        for shard in variable.value.addressable_shards:
            shards.setdefault(str(shard.index), []).append(np.asarray(shard.data))
        if any(not np.array_equal(copy, copies[0]) for copies in shards.values() for copy in copies):
            return False
    return True


def evaluate_partial_batch(results):
    """45 examples in batches of 16, data-parallel over 4 devices (the last
    batch of 13 cannot be split: padded to 16), from tf.data and from
    in-memory batches, against one device evaluating the same padded rows."""
    import tensorflow as tf

    def model():
        network = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3)])
        network.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
        return network

    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(45, 8)).astype("float32"), rng.integers(0, 3, 45)
    keras.distribution.set_distribution(jax_distribution.data_parallel())
    distributed = model()
    dataset = replica_divisible_batches(tf.data.Dataset.from_tensor_slices((x, y)).batch(16))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        metrics = distributed.evaluate(dataset, return_dict=True, verbose=0)
        in_memory = distributed.evaluate(replica_divisible_batches(ArrayBatches(x, y, 16, shuffle=False)),
                                         return_dict=True, verbose=0)
    keras.distribution.set_distribution(None)
    single = model()
    single.set_weights(distributed.get_weights())
    rows = np.r_[0:45, 32:35]
    reference = single.evaluate(x[rows], y[rows], batch_size=16, return_dict=True, verbose=0)
    for name in ("loss", "accuracy"):
        results[f"partial_batch_{name}"] = np.array([metrics[name], reference[name]])
        results[f"partial_in_memory_batch_{name}"] = np.array([in_memory[name], reference[name]])
    results["partial_batch_warnings"] = np.array([str(w.message) for w in caught] or [""])


def main(out_path):
    devices = keras.distribution.list_devices()
    assert len(devices) == 4, devices
    batch = per_replica_batch_size(REQUESTED_BATCH, len(devices)) * len(devices)
    results = {}
    for name, distribution, formulation in [
        ("single", None, "auto"),
        ("data_parallel", jax_distribution.data_parallel(), "auto"),
        ("model_parallel", jax_distribution.model_parallel(LAYOUT, model_parallel_size=2), "auto"),
        # "auto" is native at these sizes; the recipes' sizes get "shifted" on a CPU.
        ("model_parallel_shifted", jax_distribution.model_parallel(LAYOUT, model_parallel_size=2), "shifted"),
    ]:
        model, losses, initial = train(distribution, batch, formulation)
        results[f"{name}_losses"] = losses
        results[f"{name}_replicas_identical"] = replicas_identical(model)
        results[f"{name}_formulations"] = np.array(depthwise_formulations(model, batch))
        kernel = model.backbone.get_layer("stage4_block1").pwconv1.kernel.value
        results[f"{name}_pwconv1_shard_shape"] = kernel.addressable_shards[0].data.shape
        for i, weight in enumerate(model.weights):
            results[f"{name}_w{i}"] = np.asarray(weight.value)
            results[f"{name}_initial_w{i}"] = initial[i]
    results["weight_paths"] = np.array([weight.path for weight in model.weights])
    evaluate_partial_batch(results)
    np.savez(out_path, **results)


if __name__ == "__main__":
    main(sys.argv[1])
