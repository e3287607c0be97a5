import os

import keras
import numpy as np

MIXED_POLICIES = ("mixed_float16", "mixed_bfloat16")


def check_layer(make_layer, input_shape, directory, input_dtype="float32"):
    """Runs the checks every keras_zoo layer must pass.

    Args:
        make_layer: `make_layer(**kwargs) -> layer`, a fresh layer per call;
            kwargs carry `dtype` for the mixed-precision checks.
        input_shape: full input shape including the batch axis.
        directory: a temporary directory for the `.keras` file.
    """
    x = _sample(input_shape, input_dtype)
    layer = make_layer()

    # Config round trip: from_config rebuilds the same config.
    config = layer.get_config()
    rebuilt = layer.__class__.from_config(config)
    assert rebuilt.get_config() == config, (rebuilt.get_config(), config)

    # Output shape agrees with compute_output_shape.
    y = keras.ops.convert_to_numpy(layer(x))
    expected = tuple(layer.compute_output_shape(input_shape))
    assert y.shape == expected, (y.shape, expected)

    # `.keras` save/load reproduces the outputs exactly.
    model = _wrap(layer, input_shape, input_dtype)
    path = os.path.join(directory, f"{layer.name}.keras")
    model.save(path)
    restored = keras.saving.load_model(path)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(restored(x)), keras.ops.convert_to_numpy(model(x))
    )

    # One training step moves every trainable weight.
    if layer.trainable_weights:
        model = _wrap(make_layer(), input_shape, input_dtype)
        before = [keras.ops.convert_to_numpy(w).copy() for w in model.trainable_weights]
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        target = np.random.default_rng(1).normal(size=y.shape).astype("float32")
        model.fit(x, target, epochs=1, batch_size=len(x), verbose=0)
        after = [keras.ops.convert_to_numpy(w) for w in model.trainable_weights]
        for weight, old, new in zip(model.trainable_weights, before, after):
            assert not np.array_equal(old, new), f"{weight.path} did not train"

    # Mixed precision: float32 variables, outputs in the compute dtype.
    for policy in MIXED_POLICIES:
        mixed = make_layer(dtype=policy)
        out = mixed(x)
        compute_dtype = keras.dtype_policies.get(policy).compute_dtype
        assert keras.backend.standardize_dtype(out.dtype) == compute_dtype, (policy, out.dtype)
        for weight in mixed.weights:
            assert weight.dtype == "float32", (policy, weight.path, weight.dtype)
        assert np.isfinite(keras.ops.convert_to_numpy(keras.ops.cast(out, "float32"))).all()


def _sample(shape, dtype):
    rng = np.random.default_rng(0)
    if dtype.startswith("int"):
        return rng.integers(1, 10, size=shape).astype(dtype)
    return rng.normal(size=shape).astype(dtype)


def _wrap(layer, input_shape, input_dtype):
    inputs = keras.Input(batch_shape=(None,) + tuple(input_shape[1:]), dtype=input_dtype)
    return keras.Model(inputs, layer(inputs))
