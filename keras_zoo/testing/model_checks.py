"""The checks every registered keras_zoo model must pass (as timm sweeps its
registry and keras-hub's `run_backbone_test` / `run_task_test`): a family's
own tests then cover only what is specific to it."""

import os

import keras
import numpy as np

from keras_zoo.testing.layer_checks import MIXED_POLICIES


def check_model(make_model, inputs, directory, fit_data, mixed_precision=True, zero_gradient=()):
    """Runs the model-level checks.

    Args:
        make_model: `make_model(**kwargs) -> model`, a fresh compiled model
            per call; kwargs carry `dtype` for the mixed precision checks. Two calls with the same kwargs must build the
            same variable paths (no name that depends on what was built before).
        inputs: a batch the model is called on.
        directory: a temporary directory for the `.keras` file.
        fit_data: `(x, y)` (y may be None) for one `fit` step; None skips it.
        mixed_precision: also check `mixed_float16` and `mixed_bfloat16`.
        zero_gradient: paths of variables whose gradient is zero by
            construction (a Wasserstein critic's output bias cancels in
            D(real) - D(fake)); they are checked not to move, the rest to move.
    """
    model = make_model()
    outputs = _numpy_tree(model(inputs))

    # Config round trip: from_config rebuilds the same config and variables.
    config = model.get_config()
    rebuilt = model.__class__.from_config(config)
    assert rebuilt.get_config() == config, (rebuilt.get_config(), config)
    # The same paths from a second build: none may depend on what was built before.
    paths = [v.path for v in model.weights]
    assert [v.path for v in rebuilt.weights] == paths, "variable paths differ in a second build (from_config)"

    # `.keras` save/load: same class, config, variable paths and outputs.
    path = os.path.join(directory, f"{model.name}.keras")
    model.save(path)
    restored = keras.saving.load_model(path)
    assert type(restored) is type(model), (type(restored), type(model))
    assert [v.path for v in restored.weights] == paths
    _assert_equal_trees(_numpy_tree(restored(inputs)), outputs)

    # One fit step moves every trainable weight and gives a finite loss.
    _check_fit_step(make_model(), fit_data, zero_gradient=zero_gradient)

    # Mixed precision: float32 variables, finite outputs. (Training under it is
    # each family's and the trainer's tests: a compile per policy is costly.)
    if mixed_precision:
        for policy in MIXED_POLICIES:
            mixed = make_model(dtype=policy)
            # The model keeps its policy (Keras' Functional drops it: keras_zoo/models/backbone.py),
            # its config rebuilds it, and compile scales the loss under float16.
            assert mixed.dtype_policy.name == policy, (policy, mixed.dtype_policy)
            assert type(mixed).from_config(mixed.get_config()).dtype_policy.name == policy
            if policy == "mixed_float16":
                for optimizer in _compiled_optimizers(mixed):
                    assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer), type(optimizer)
            for weight in mixed.weights:
                assert weight.dtype == "float32", (policy, weight.path, weight.dtype)
            out = keras.tree.flatten(mixed(inputs))
            assert all(np.isfinite(keras.ops.convert_to_numpy(keras.ops.cast(o, "float32"))).all() for o in out)


def check_backbone(make_backbone, inputs, directory, expected_shapes):
    """`check_model` without the fit step, plus the output shapes:
    `expected_shapes` mirrors the outputs' structure (a shape or a dict)."""
    backbone = make_backbone()
    shapes = keras.tree.map_structure(lambda x: tuple(x.shape), backbone(inputs))
    assert shapes == expected_shapes, (shapes, expected_shapes)
    check_model(make_backbone, inputs, directory, fit_data=None, mixed_precision=False)


def _check_fit_step(model, fit_data, zero_gradient=()):
    if fit_data is None:
        return  # a backbone: nothing to fit against
    x, y = fit_data
    before = [keras.ops.convert_to_numpy(w).copy() for w in model.trainable_weights]
    history = model.fit(x, y, epochs=1, batch_size=len(keras.tree.flatten(x)[0]), verbose=0)
    assert all(np.isfinite(v).all() for v in history.history.values()), history.history
    after = [keras.ops.convert_to_numpy(w) for w in model.trainable_weights]
    moved = [not np.array_equal(b, a) for b, a in zip(before, after)]
    still = [w.path for w, m in zip(model.trainable_weights, moved) if not m]
    assert sorted(still) == sorted(zero_gradient), f"{still} did not train (expected only {zero_gradient})"


def _numpy_tree(outputs):
    return keras.tree.map_structure(keras.ops.convert_to_numpy, outputs)


def _assert_equal_trees(actual, expected):
    for a, e in zip(keras.tree.flatten(actual), keras.tree.flatten(expected)):
        np.testing.assert_array_equal(a, e)


def _compiled_optimizers(model):
    """The optimizers `compile` gave the model: one, or a GAN's two (`GANOptimizers`)."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return []
    if hasattr(optimizer, "d_optimizer"):
        return [optimizer.d_optimizer, optimizer.g_optimizer]
    return [optimizer]
