"""Every registered model, tiny, through the same harness (as timm sweeps its
registry): it builds and runs from `create_model`; one model per family (the
variants differ only in sizes) also round-trips its config and `.keras`
file, trains one step moving every weight, and trains under mixed precision.
A family adds one entry to FAMILIES."""

import fnmatch

import keras
import numpy as np
import pytest

import keras_zoo
from keras_zoo.testing import check_backbone, check_model

RNG = np.random.default_rng(0)
IMAGES = RNG.normal(size=(2, 32, 32, 3)).astype("float32")
SOURCE, TARGET = RNG.integers(1, 20, size=(2, 6)), RNG.integers(1, 20, size=(2, 5))
DIGITS = RNG.uniform(-1, 1, size=(4, 8, 8, 1)).astype("float32")
LATENTS = RNG.normal(size=(2, 8)).astype("float32")


def _classifier_compile(model):
    model.compile(optimizer=keras.optimizers.SGD(0.1),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def _gan_compile(model):
    # A clipped tiny critic passes the generator gradients ~1e-10: RMSprop at
    # the papers' rates would move some weights by less than float32 resolves.
    model.compile(d_optimizer=keras.optimizers.RMSprop(0.1), g_optimizer=keras.optimizers.RMSprop(0.1))
    return model


# pattern: (tiny overrides, compile or None, inputs, fit data (x, y), expected output shape).
# The GANs step the generator once per n_critic critic steps: n_critic=1 here.
FAMILIES = {
    "convnext_*": (dict(depths=(1, 1, 1, 1), dims=(8, 8, 16, 16), input_shape=(32, 32, 3), num_classes=3,
                        drop_path_rate=0.1, layer_scale_init_value=1.0, seed=1),  # 1e-6 would leave the block norms' gammas unmoved in one step
                   _classifier_compile, IMAGES, (IMAGES, np.array([0, 2])), (2, 3)),
    "transformer_*": (dict(vocabulary_size=20, num_layers=1, hidden_dim=8, intermediate_dim=16, num_heads=2,
                           position_encoding="learned", max_sequence_length=16, normalize_first=True,
                           dropout=0.2, seed=1),
                      _classifier_compile, {"source": SOURCE, "target": TARGET},
                      ({"source": SOURCE, "target": TARGET}, TARGET), (2, 5, 20)),
    "*_patch*": (dict(patch_size=8, hidden_dim=8, depth=1, num_heads=2, input_shape=(32, 32, 3), num_classes=3,
                      drop_path_rate=0.1, seed=1),  # ViT and DeiT
                 _classifier_compile, IMAGES, (IMAGES, np.array([0, 2])), (2, 3)),
    "gpt*": (dict(vocabulary_size=20, num_layers=1, hidden_dim=8, num_heads=2, max_sequence_length=16,
                  dropout=0.2, attention_dropout=0.1, embedding_dropout=0.1, seed=1),
             _classifier_compile, SOURCE, (SOURCE[:, :-1], SOURCE[:, 1:]), (2, 6, 20)),
    "bert_*": (dict(vocabulary_size=20, num_layers=1, hidden_dim=8, num_heads=2, max_sequence_length=16,
                    dropout=0.2, attention_dropout=0.1, seed=1),
               _classifier_compile, SOURCE, (SOURCE, SOURCE), (2, 6, 20)),
    "repvgg_*": (dict(depths=(1, 2, 1, 1), widths=(8, 8, 16, 16), stem_width=8, groups=2, input_shape=(32, 32, 3),
                      num_classes=3, dropout=0.1, seed=1),  # stage 2's second block grouped, with its identity branch
                 _classifier_compile, IMAGES, (IMAGES, np.array([0, 2])), (2, 3)),
    "*gan*": (dict(image_shape=(8, 8, 1), latent_dim=8, base_filters=4, n_critic=1, seed=1),
              _gan_compile, LATENTS, (DIGITS, None), (2, 8, 8, 1)),
}
FULL_CHECK = ("convnext_atto", "transformer_tiny", "vit_micro_patch4_32", "gpt_micro", "bert_micro", "repvgg_tiny", "dcgan", "wgan", "wgan_gp")
# The Wasserstein critic's output bias cancels in D(real) - D(fake) (and in
# the penalty); a masked LM never reads its backbone's pooler.
ZERO_GRADIENT = {"wgan": ("score/bias",), "wgan_gp": ("score/bias",),
                 "bert_micro": ("pooler/kernel", "pooler/bias")}


def _family(name):
    matches = [pattern for pattern in FAMILIES if fnmatch.fnmatch(name, pattern)]
    assert len(matches) == 1, f"give '{name}' one tiny configuration in FAMILIES (matched: {matches})"
    return FAMILIES[matches[0]]


def _maker(name):
    overrides, compile_model, *_ = _family(name)

    def make(**kwargs):
        model = keras_zoo.create_model(name, **overrides, **kwargs)
        return compile_model(model) if compile_model else model
    return make


@pytest.mark.parametrize("name", keras_zoo.list_models())
def test_every_registered_model_builds_tiny_and_runs(name):
    _, _, inputs, _, shape = _family(name)
    model = _maker(name)()
    assert tuple(model(inputs).shape) == shape


@pytest.mark.parametrize("name", FULL_CHECK)
def test_model_checks(name, tmp_path):
    _, _, inputs, fit_data, _ = _family(name)
    check_model(_maker(name), inputs, str(tmp_path), fit_data, zero_gradient=ZERO_GRADIENT.get(name, ()))


def test_every_family_has_a_full_check():
    assert {pattern for name in FULL_CHECK for pattern in FAMILIES if fnmatch.fnmatch(name, pattern)} == set(FAMILIES)


def test_convnext_backbone_checks(tmp_path):
    overrides = dict(_family("convnext_atto")[0])
    for key in ("num_classes",):
        overrides.pop(key)
    check_backbone(lambda **kw: keras_zoo.create_model("convnext_atto", features_only=True, **overrides, **kw),
                   IMAGES, str(tmp_path),
                   {"stage1": (2, 8, 8, 8), "stage2": (2, 4, 4, 8), "stage3": (2, 2, 2, 16), "stage4": (2, 1, 1, 16)})


def test_vit_backbone_checks(tmp_path):
    overrides = dict(_family("vit_micro_patch4_32")[0], depth=2, feature_blocks=(1, 2))
    overrides.pop("num_classes")
    check_backbone(lambda **kw: keras_zoo.create_model("vit_micro_patch4_32", features_only=True, **overrides, **kw),
                   IMAGES, str(tmp_path),
                   {"tokens": (2, 17, 8), "block1": (2, 4, 4, 8), "block2": (2, 4, 4, 8)})


def test_repvgg_backbone_checks_in_both_forms(tmp_path):
    overrides = dict(_family("repvgg_tiny")[0])
    for key in ("num_classes", "dropout"):
        overrides.pop(key)
    for deploy in (False, True):
        check_backbone(
            lambda **kw: keras_zoo.create_model("repvgg_tiny", features_only=True, deploy=deploy, **overrides, **kw),
            IMAGES, str(tmp_path),
            {"stage1": (2, 8, 8, 8), "stage2": (2, 4, 4, 8), "stage3": (2, 2, 2, 16), "stage4": (2, 1, 1, 16)})
