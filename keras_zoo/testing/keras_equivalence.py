import keras
import numpy as np


def check_same_as_keras(make_ours, make_theirs, input_shape, lora_rank=None):
    """Asserts that a keras_zoo layer computes what the Keras layer it stands
    in for computes: outputs, and the weight changes of one SGD step with
    learning rate 1 (minus the gradients), a Dense before the layer taking the
    gradient with respect to the layer's input.

    Args:
        make_ours, make_theirs: `() -> layer`, built alike; both models are
            built after the same seed, so their weights start equal.
        input_shape: full input shape including the batch axis.
        lora_rank: optional int; LoRA is enabled on the layer after building.
    """
    rng = np.random.default_rng(1)
    x = rng.normal(size=input_shape).astype("float32")
    steps, target = [], None
    for make_layer in (make_ours, make_theirs):
        keras.utils.set_random_seed(3)
        layer = make_layer()
        model = keras.Sequential([keras.Input(input_shape[1:]), keras.layers.Dense(input_shape[-1]), layer])
        if lora_rank:
            layer.enable_lora(lora_rank)
        if target is None:
            target = rng.normal(size=(input_shape[0],) + model.output_shape[1:]).astype("float32")
        model.compile(optimizer=keras.optimizers.SGD(1.0), loss="mse", jit_compile=False)  # no compile time
        outputs = keras.ops.convert_to_numpy(model(x))
        before = [keras.ops.convert_to_numpy(w).copy() for w in model.trainable_weights]
        model.train_on_batch(x, target)
        steps.append([outputs] + [keras.ops.convert_to_numpy(w) - b for w, b in zip(model.trainable_weights, before)])
    assert len(steps[0]) == len(steps[1]), (len(steps[0]), len(steps[1]))
    for ours, theirs in zip(*steps):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    # Every compared change is non-zero, except LoRA's A at B=0 (its gradient is 0).
    moved = [np.abs(step).max() > 0 for step in steps[1]]
    assert all(moved) if not lora_rank else sum(moved) >= len(moved) - 1, moved
