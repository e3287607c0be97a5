"""Mixed precision for every family: one `fit` step under each policy gives
a finite loss, keeps variables float32 and outputs float32; float16 trains
through dynamic loss scaling (both GAN optimizers included). Variables and
finite outputs of every registered model under both policies:
tests/models/test_registered_models.py."""

import keras
import numpy as np
import pytest

import keras_zoo
from keras_zoo.models.transformer.transformer_loss import MaskedLabelSmoothedCrossEntropy
from keras_zoo.training.precision import PRECISIONS
from keras_zoo.training.precision import loss_scaled
from keras_zoo.training.precision import precision_scope
from keras_zoo.training.precision import set_precision

MIXED = ["mixed_float16", "mixed_bfloat16"]
# XLA compiles these steps for far longer than one step runs on a small
# CPU; without it the same mixed-precision math runs (TensorFlow: graph
# mode, PyTorch: eager). JAX without jit compiles every op on its own, which
# takes longer still (73 against 38 s for this file): jitted there.
JIT = keras.backend.backend() == "jax"


def _dtype(tensor):
    return keras.backend.standardize_dtype(tensor.dtype)


def _values(variables):
    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


@pytest.mark.parametrize("policy", MIXED)
def test_transformer_fit_step(policy):
    set_precision(policy)
    model = keras_zoo.create_model("transformer_tiny", vocabulary_size=23, num_layers=1, hidden_dim=16,
                                   intermediate_dim=32, num_heads=4, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=MaskedLabelSmoothedCrossEntropy(), jit_compile=JIT)
    rng = np.random.default_rng(0)
    batch = {"source": rng.integers(1, 23, (4, 7)).astype("int32"),
             "target": rng.integers(1, 23, (4, 6)).astype("int32")}
    before = _values(model.trainable_variables)
    history = model.fit(batch, batch["target"], batch_size=4, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    # The scaled gradients were finite: the step was applied, not skipped.
    assert any(not np.array_equal(a, b) for a, b in zip(before, _values(model.trainable_variables)))
    assert all(w.dtype == "float32" for w in model.weights)
    assert _dtype(model(batch)) == "float32"


@pytest.mark.parametrize("policy", ["mixed_float16"])  # bfloat16: test_recipe_precision_distribution.py
def test_convnext_fit_step(policy):
    set_precision(policy)
    model = keras_zoo.create_model("convnext_atto", depths=(1, 1, 1, 1), dims=(8, 8, 16, 16),
                                   input_shape=(32, 32, 3), num_classes=4, layer_scale_init_value=1.0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), jit_compile=JIT,
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    images = np.random.default_rng(0).normal(size=(4, 32, 32, 3)).astype("float32")
    before = _values(model.trainable_variables)
    history = model.fit(images, np.arange(4), batch_size=4, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert any(not np.array_equal(a, b) for a, b in zip(before, _values(model.trainable_variables)))
    assert all(w.dtype == "float32" for w in model.weights)
    assert _dtype(model(images)) == "float32"  # logits
    assert _dtype(model.backbone.get_layer("stage1_block1").output) == policy.split("_")[1]


# WGAN-GP (penalty: a gradient through the critic) under both policies;
# DCGAN (batch norm, minimax loss) where loss scaling bites, float16.
@pytest.mark.parametrize("variant, policy", [("wgan_gp", "mixed_float16"), ("wgan_gp", "mixed_bfloat16"),
                                             ("dcgan", "mixed_float16")])
def test_gan_fit_step_scales_both_optimizers_under_float16(variant, policy):
    set_precision(policy)
    # One critic update per step (WGAN-GP's paper makes 5): the same code path, a fifth of the work.
    model = keras_zoo.create_model(variant, image_shape=(8, 8, 1), latent_dim=8, base_filters=4, seed=0, n_critic=1)
    model.compile(jit_compile=JIT)  # the paper's optimizers again
    scaled = policy == "mixed_float16"
    for optimizer in (model.d_optimizer, model.g_optimizer):
        assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer) == scaled
    images = np.random.default_rng(0).uniform(-1, 1, (16, 8, 8, 1)).astype("float32")
    # Two steps to settle: under float16 the WGAN-GP critic's scaled penalty
    # gradient overflows once at the initial scale 2^15 (measured: step 1 on
    # TensorFlow and JAX, step 2 on PyTorch), a step dynamic loss scaling
    # skips by design. Then two more steps, of which each network must apply
    # one: weights that moved and stayed finite.
    history = model.fit(images[:8], batch_size=4, epochs=1, verbose=0)
    assert all(np.isfinite(values).all() for values in history.history.values())
    settled = {network.name: _values(network.trainable_variables) for network in (model.discriminator, model.generator)}
    history = model.fit(images[8:], batch_size=4, epochs=1, verbose=0)
    assert all(np.isfinite(values).all() for values in history.history.values())
    for network in (model.discriminator, model.generator):
        after = _values(network.trainable_variables)
        assert all(np.isfinite(value).all() for value in after), network.name
        assert any(not np.array_equal(a, b) for a, b in zip(settled[network.name], after)), network.name
    assert all(w.dtype == "float32" for w in model.weights)
    latents = np.random.default_rng(1).normal(size=(2, 8)).astype("float32")
    assert _dtype(model(latents)) == "float32"
    assert _dtype(model.discriminator(images)) == "float32"


def test_loss_scaled_wraps_only_under_float16():
    assert isinstance(loss_scaled("adam", "mixed_float16"), keras.optimizers.LossScaleOptimizer)
    assert isinstance(loss_scaled("adam", "mixed_bfloat16"), keras.optimizers.Adam)
    already = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD())
    assert loss_scaled(already, "mixed_float16") is already


def test_precision_scope_restores_and_bad_names_are_rejected():
    with precision_scope("mixed_bfloat16"):
        assert keras.config.dtype_policy().name == "mixed_bfloat16"
    assert keras.config.dtype_policy().name == "float32"
    with pytest.raises(ValueError, match=r"Unknown precision 'float16'\. Valid: \['float32', 'mixed_float16', 'mixed_bfloat16'\]"):
        set_precision("float16")
    assert PRECISIONS == ("float32", "mixed_float16", "mixed_bfloat16")
