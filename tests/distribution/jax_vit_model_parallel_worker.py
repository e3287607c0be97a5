"""Run by test_jax_distribution.py in a fresh process with four forced host
devices: a tiny ViT trained on one device and model-parallel on a 2x2 mesh
through `distribution_scope` with the layout the trainer looks up
(`keras_zoo.registry.model_parallel_layout`); saves the losses, the initial
and final weights and how the Megatron-split kernels are laid out."""

import sys

import keras
import numpy as np

import keras_zoo
from jax_distribution_worker import replicas_identical  # this script's folder is on sys.path
from keras_zoo.distribution.distribution_strategy import distribution_scope
from keras_zoo.registry import model_parallel_layout

MODEL = "vit_micro_patch4_32"
BATCH = 4  # 2 per replica over the mesh's 2 batch rows
# One kernel of each split: heads (by output), attention output and fc2 (by
# input), fc1 (by output); and a norm, replicated.
SHARDED = {
    "query": "block1/self_attention/query/kernel",
    "attention_output": "block1/self_attention/output/kernel",
    "fc1": "block1/feed_forward/intermediate/kernel",
    "fc2": "block2/feed_forward/output/kernel",
    "norm": "block1/self_attention_norm/gamma",
}


def train(distribution):
    """Returns the trained model, its epoch losses and its initial weights."""
    with distribution_scope(distribution, layout=model_parallel_layout(MODEL)):
        keras.utils.set_random_seed(0)
        # No dropout, no layer scale and Adam: every weight gets a full-size
        # step, so each moves far more than the test's tolerance.
        model = keras_zoo.create_model(MODEL, hidden_dim=32, depth=2, num_heads=2, patch_size=4,
                                       input_shape=(16, 16, 3), num_classes=3)
        initial = [np.array(weight.value) for weight in model.weights]
        model.compile(optimizer=keras.optimizers.Adam(3e-3),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        rng = np.random.default_rng(0)
        x, y = rng.normal(size=(16, 16, 16, 3)).astype("float32"), rng.integers(0, 3, 16)
        history = model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0)
    return model, np.array(history.history["loss"]), initial


def main(out_path):
    assert len(keras.distribution.list_devices()) == 4, keras.distribution.list_devices()
    results = {}
    for name, distribution in [("single", "none"), ("model_parallel", "model_parallel")]:
        model, losses, initial = train(distribution)
        results[f"{name}_losses"] = losses
        results[f"{name}_replicas_identical"] = replicas_identical(model)
        weights = {weight.path: weight for weight in model.weights}
        for label, path in SHARDED.items():
            value = weights[path].value
            results[f"{name}_{label}_spec"] = np.array([str(axis) for axis in getattr(value.sharding, "spec", ())])
            results[f"{name}_{label}_shard_shape"] = value.addressable_shards[0].data.shape
        for i, weight in enumerate(model.weights):
            results[f"{name}_w{i}"] = np.asarray(weight.value)
            results[f"{name}_initial_w{i}"] = initial[i]
    results["weight_paths"] = np.array([weight.path for weight in model.weights])
    np.savez(out_path, **results)


if __name__ == "__main__":
    main(sys.argv[1])
