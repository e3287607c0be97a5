"""The RepVGG model: trainable-parameter counts of every variant in both
forms (timm's), `reparameterize` (deploy == train in inference, no
BatchNorm left, clear errors), and the deploy form under mixed precision."""

import keras
import numpy as np
import pytest

import keras_zoo
from keras_zoo.models import ImageClassifier
from keras_zoo.models.repvgg import REPVGG_VARIANTS, RepVGGBackbone, reparameterize
from repvgg_references import relative_error

# timm's parameter counts (its `num_params`, BatchNorm statistics being
# buffers); Keras' count_params() adds the moving statistics, so the
# trainable count is the one compared.
TRAIN_AND_DEPLOY_COUNTS = {
    "repvgg_a0": (9_108_968, 8_309_384),
    "repvgg_a1": (14_092_264, 12_789_864),
    "repvgg_a2": (28_210_600, 25_499_944),
    "repvgg_b0": (15_817_960, 14_339_048),
    "repvgg_b1": (57_415_016, 51_829_480),
    "repvgg_b1g4": (39_966_056, 36_125_416),
    "repvgg_b2": (89_022_376, 80_315_112),
    "repvgg_b2g4": (61_758_376, 55_777_512),
    "repvgg_b3": (123_085_288, 110_960_872),
    "repvgg_b3g4": (83_825_128, 75_626_728),
}
TINY = dict(input_shape=(32, 32, 3), num_classes=5)


def _trainable_count(model):
    return sum(int(np.prod(v.shape)) for v in model.trainable_weights)


def test_every_paper_variant_is_counted():
    assert set(TRAIN_AND_DEPLOY_COUNTS) == set(REPVGG_VARIANTS) - {"repvgg_tiny"}


@pytest.mark.parametrize("name", sorted(TRAIN_AND_DEPLOY_COUNTS))
def test_trainable_parameter_counts_are_timms_in_both_forms(name):
    train, deploy = TRAIN_AND_DEPLOY_COUNTS[name]
    assert _trainable_count(keras_zoo.create_model(name)) == train
    assert _trainable_count(keras_zoo.create_model(name, deploy=True)) == deploy


def _trained_tiny(seed=0, **overrides):
    """A tiny train-form model after one epoch of fit: statistics set."""
    model = keras_zoo.create_model("repvgg_tiny", groups=2, **{**TINY, **overrides})
    model.compile(optimizer=keras.optimizers.SGD(0.05),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.default_rng(seed)
    x = rng.normal(0.5, 2.0, size=(16, 32, 32, 3)).astype("float32")
    model.fit(x, rng.integers(0, 5, size=16), epochs=1, batch_size=8, verbose=0)
    return model, x


def test_the_deploy_form_equals_the_train_form_and_holds_no_batch_norm():
    model, x = _trained_tiny()
    deployed = reparameterize(model)
    assert type(deployed) is type(model) and deployed.deploy and not model.deploy
    expected = model.predict(x, verbose=0)
    assert relative_error(deployed.predict(x, verbose=0), expected) < 1e-6
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in deployed._flatten_layers())
    assert not deployed.non_trainable_weights
    assert _trainable_count(deployed) < _trainable_count(model)


def test_a_classifier_given_a_backbone_reparameterizes_too():
    backbone = RepVGGBackbone(depths=(1, 1, 2, 1), widths=(8, 8, 16, 16), stem_width=8, input_shape=(32, 32, 3))
    model = ImageClassifier(backbone, num_classes=3)
    model.compile(optimizer=keras.optimizers.SGD(0.05),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.default_rng(0)
    x = rng.normal(0.5, 2.0, size=(16, 32, 32, 3)).astype("float32")
    model.fit(x, rng.integers(0, 3, size=16), epochs=1, batch_size=8, verbose=0)  # statistics set
    deployed = reparameterize(model)
    assert deployed.backbone.deploy and type(deployed) is ImageClassifier
    assert relative_error(deployed.predict(x, verbose=0), model.predict(x, verbose=0)) < 1e-6


def test_deploy_form_round_trips_through_a_keras_file(tmp_path):
    model, x = _trained_tiny(seed=1)
    deployed = reparameterize(model)
    deployed.save(tmp_path / "deploy.keras")
    restored = keras.saving.load_model(tmp_path / "deploy.keras")
    assert restored.deploy
    np.testing.assert_array_equal(restored.predict(x, verbose=0), deployed.predict(x, verbose=0))


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_keeps_batch_norm_in_float32_and_folds_to_the_same_policy(policy):
    model, x = _trained_tiny(seed=2, dtype=policy)
    norm = model.backbone.blocks[1].norm_kxk
    assert norm.moving_variance.dtype == "float32" and norm.compute_dtype == keras.dtype_policies.get(policy).compute_dtype
    deployed = reparameterize(model)
    assert deployed.dtype_policy.name == policy
    train_logits, deploy_logits = model.predict(x, verbose=0), deployed.predict(x, verbose=0)
    assert train_logits.dtype == deploy_logits.dtype == np.float32  # logits in float32 (ImageClassifier)
    tolerance = {"mixed_float16": 2e-2, "mixed_bfloat16": 1e-1}[policy]  # half-precision rounding, ~2^-10 / 2^-7 a layer
    assert relative_error(deploy_logits, train_logits) < tolerance


def test_reparameterize_refuses_what_it_cannot_fold():
    fresh = keras_zoo.create_model("repvgg_tiny", **TINY)
    with pytest.raises(ValueError, match=r"'stem/norm_kxk' holds its initial statistics \(mean 0, variance 1\)"):
        reparameterize(fresh)
    deployed = reparameterize(fresh, check_statistics=False)  # allowed when asked for (speed measurements)
    with pytest.raises(ValueError, match="already in deploy form"):
        reparameterize(deployed)
    with pytest.raises(ValueError, match="takes a RepVGG model or RepVGGBackbone. Received: ConvNeXt"):
        reparameterize(keras_zoo.create_model("convnext_atto", depths=(1, 1, 1, 1), dims=(8, 8, 8, 8)))


def test_bad_stage_lists_say_what_is_valid():
    with pytest.raises(ValueError, match=r"one per stage. Received: depths=\(1, 1, 1\)"):
        RepVGGBackbone(depths=(1, 1, 1), widths=(8, 8, 8, 8))
