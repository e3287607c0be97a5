import keras
import numpy as np
import pytest

from keras_zoo.backend import biased_ops
from keras_zoo.layers import Dense
from keras_zoo.testing import check_layer

SHAPE = (2, 3, 5, 4)  # the ConvNeXt use: a Dense over the channels of an image


def test_layer_checks(tmp_path):
    check_layer(lambda **kw: Dense(6, activation="gelu", **kw), SHAPE, str(tmp_path))


def _trained_step(layer, x, target):
    """The weight change of one SGD step with lr=1 (minus the gradients) and
    the layer's outputs before it."""
    model = keras.Sequential([keras.Input(SHAPE[1:]), layer])
    model.compile(optimizer=keras.optimizers.SGD(1.0), loss="mse", jit_compile=False)
    outputs = keras.ops.convert_to_numpy(model(x))
    before = [keras.ops.convert_to_numpy(w).copy() for w in model.weights]
    model.train_on_batch(x, target)
    return outputs, [keras.ops.convert_to_numpy(w) - b for w, b in zip(model.weights, before)]


@pytest.mark.parametrize("lora", [False, True])
def test_same_outputs_and_gradients_as_the_keras_layer(lora):
    rng = np.random.default_rng(0)
    x = rng.normal(size=SHAPE).astype("float32")
    target = rng.normal(size=SHAPE[:-1] + (6,)).astype("float32")
    layers = [Dense(6, activation="gelu"), keras.layers.Dense(6, activation="gelu")]
    for layer in layers:
        layer.build(SHAPE)
        if lora:
            layer.enable_lora(2)
    for variable in layers[0].weights:
        value = rng.normal(size=variable.shape).astype("float32")
        for layer in layers:
            next(w for w in layer.weights if w.path.endswith(variable.name)).assign(value)
    (ours, our_steps), (theirs, their_steps) = (_trained_step(layer, x, target) for layer in layers)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    assert len(our_steps) == len(their_steps) == (4 if lora else 2)
    for ours, theirs in zip(our_steps, their_steps):
        if not lora:  # with LoRA only lora_a/lora_b train, and lora_a's gradient is 0 at lora_b=0
            assert np.abs(theirs).max() > 0
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_adds_the_bias_inside_the_product_on_torch(monkeypatch):
    if not biased_ops.FUSED_BIAS:
        pytest.skip(f"no fused bias on the {keras.backend.backend()} backend: the Keras computation runs")
    calls = []
    fused = biased_ops.biased_matmul
    monkeypatch.setattr(biased_ops, "biased_matmul", lambda *args: calls.append(args) or fused(*args))
    x = np.ones(SHAPE, "float32")
    Dense(6)(x)
    assert len(calls) == 1
    Dense(6, use_bias=False)(x)  # nothing to fuse: Keras' matmul
    assert len(calls) == 1
