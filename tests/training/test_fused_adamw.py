import keras
import numpy as np
import pytest

from keras_zoo.backend import fused_adamw
from keras_zoo.training import FusedAdamW
from keras_zoo.training import WarmupCosineSchedule
from keras_zoo.training import with_layerwise_lr


def _variables(rng):
    return [keras.Variable(rng.normal(size=shape).astype("float32"), name=name)
            for shape, name in (((5, 3), "kernel"), ((3,), "bias"), ((4, 2, 3), "other"))]


def _train(optimizer, steps=4):
    """The variables after `steps` updates with the same gradients."""
    rng = np.random.default_rng(0)
    variables = _variables(rng)
    grads = [[rng.normal(scale=10.0 ** -k, size=v.shape).astype("float32") for k, v in enumerate(variables)]
             for _ in range(steps)]  # gradients of 1, 0.1 and 0.01: epsilon matters for the last
    for step_grads in grads:
        optimizer.apply([keras.ops.convert_to_tensor(g) for g in step_grads], variables)
    return [keras.ops.convert_to_numpy(v) for v in variables]


def _kwargs():
    return dict(learning_rate=WarmupCosineSchedule(1e-2, 10, 2, 1e-4), weight_decay=0.05,
                beta_1=0.8, beta_2=0.95, epsilon=1e-3)  # a large epsilon: where PyTorch puts it would show


@pytest.mark.parametrize("exclude", [False, True])
def test_updates_as_keras_adamw(exclude):
    optimizers = [cls(**_kwargs()) for cls in (FusedAdamW, keras.optimizers.AdamW)]
    if exclude:
        for optimizer in optimizers:
            optimizer.exclude_from_weight_decay(var_names=["bias"])
    ours, theirs = (_train(optimizer) for optimizer in optimizers)
    start = [keras.ops.convert_to_numpy(v) for v in _variables(np.random.default_rng(0))]
    for a, b, s in zip(ours, theirs, start):
        assert np.abs(b - s).max() > 1e-3  # the steps moved every variable
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_trains_as_keras_adamw_in_a_compiled_step():
    # jit_compile=True: XLA on JAX/TensorFlow, torch.compile on PyTorch (which
    # cannot trace the fused kernel: Keras' update runs there).
    x = np.random.default_rng(0).normal(size=(16, 4)).astype("float32")
    y = np.random.default_rng(1).normal(size=(16, 3)).astype("float32")
    weights = []
    for optimizer in (FusedAdamW(1e-2, weight_decay=0.1), keras.optimizers.AdamW(1e-2, weight_decay=0.1)):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        model.compile(optimizer=optimizer, loss="mse", jit_compile=True)
        start = [keras.ops.convert_to_numpy(w).copy() for w in model.weights]
        model.fit(x, y, epochs=2, batch_size=8, verbose=0)
        weights.append([keras.ops.convert_to_numpy(w) for w in model.weights])
    for ours, theirs, before in zip(*weights, start):
        assert np.abs(theirs - before).max() > 1e-3  # 4 steps moved the weights
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)


def test_fuses_on_torch_only(monkeypatch):
    calls = []
    fused = fused_adamw.fused_adam_update
    monkeypatch.setattr(fused_adamw, "fused_adam_update", lambda *a, **k: calls.append(k) or fused(*a, **k))
    _train(FusedAdamW(1e-3), steps=2)
    assert [call["step"] for call in calls] == ([1, 2] if fused_adamw.FUSED_ADAMW else [])
    _train(FusedAdamW(1e-3, amsgrad=True), steps=1)  # Keras' own update
    assert len(calls) == (2 if fused_adamw.FUSED_ADAMW else 0)


def test_a_model_compiled_with_it_saves_and_loads(tmp_path):
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(3, name="fc")(inputs))
    for optimizer in (FusedAdamW(1e-3, weight_decay=0.1), with_layerwise_lr(FusedAdamW(1e-3), {"fc/kernel": 0.5})):
        model.compile(optimizer=optimizer, loss="mse")
        model.fit(np.ones((4, 4), "float32"), np.zeros((4, 3), "float32"), verbose=0)
        path = str(tmp_path / "model.keras")
        model.save(path)
        loaded = keras.saving.load_model(path)  # in a fresh process Keras finds the class by name
        assert type(loaded.optimizer).__name__ == type(optimizer).__name__
        assert isinstance(loaded.optimizer, FusedAdamW)
        assert loaded.optimizer.get_config() == optimizer.get_config()
