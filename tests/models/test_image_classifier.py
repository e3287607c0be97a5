"""ImageClassifier: one head over any image backbone; ConvNeXt is one."""

import keras
import numpy as np
import pytest

import keras_zoo
from keras_zoo.models.backbone import Backbone
from keras_zoo.models.convnext import ConvNeXt, ConvNeXtBackbone
from keras_zoo.models.image_classifier import ImageClassifier
from keras_zoo.optimizers import layerwise_lr_multipliers

TINY = dict(depths=(1, 1, 1, 1), dims=(8, 8, 16, 16), input_shape=(32, 32, 3), seed=3)


@keras.saving.register_keras_serializable(package="keras_zoo_tests")
class TokenBackbone(Backbone):
    """A toy ViT-shaped backbone: 8x8 patches -> (B, N, C) tokens, no layer groups."""

    def __init__(self, hidden_dim=6, input_shape=(16, 16, 3), dtype=None, **kwargs):
        images = keras.Input(shape=input_shape, name="images")
        x = keras.layers.Conv2D(hidden_dim, 8, strides=8, dtype=dtype, name="patches")(images)
        x = keras.layers.Reshape((-1, hidden_dim), dtype=dtype)(x)
        super().__init__(inputs=images, outputs=x, dtype=dtype, **kwargs)
        self.hidden_dim, self.image_shape = hidden_dim, tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "hidden_dim": self.hidden_dim, "input_shape": self.image_shape}


def _images(shape, n=2):
    return np.random.default_rng(0).normal(size=(n, *shape)).astype("float32")


def test_convnext_is_an_image_classifier_over_its_backbone():
    flat = ConvNeXt(num_classes=5, **TINY)
    assert isinstance(flat, ImageClassifier) and isinstance(flat.backbone, ConvNeXtBackbone)
    head = ImageClassifier(ConvNeXtBackbone(**TINY), num_classes=5, head_norm_epsilon=1e-6)
    head.set_weights(flat.get_weights())
    x = _images((32, 32, 3))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(head(x)), keras.ops.convert_to_numpy(flat(x)), rtol=1e-6)
    # The family's config stays flat (what 0.1.0's files hold); the generic one nests the backbone.
    assert "depths" in flat.get_config() and "backbone" not in flat.get_config()
    assert head.get_config()["backbone"]["class_name"] == "ConvNeXtBackbone"


def test_a_backbone_passed_in_round_trips_through_config_and_keras_file(tmp_path):
    model = ImageClassifier(TokenBackbone(), num_classes=4, pooling="token", dropout=0.3, head_init_scale=0.5)
    x = _images((16, 16, 3))
    rebuilt = ImageClassifier.from_config(model.get_config())
    assert rebuilt.get_config() == model.get_config()
    path = str(tmp_path / "token.keras")
    model.save(path)
    restored = keras.saving.load_model(path)
    assert type(restored) is ImageClassifier and type(restored.backbone) is TokenBackbone
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(restored(x)), keras.ops.convert_to_numpy(model(x)))
    assert [v.path for v in restored.weights] == [v.path for v in model.weights]


@pytest.mark.parametrize("pooling, reduce", [("token", lambda t: t[:, 0]), ("avg", lambda t: t.mean(1)),
                                             ("max", lambda t: t.max(1))])
def test_pooling_without_top_reduces_the_tokens(pooling, reduce):
    backbone = TokenBackbone()
    model = ImageClassifier(backbone, include_top=False, pooling=pooling)
    x = _images((16, 16, 3))
    tokens = keras.ops.convert_to_numpy(backbone(x))  # (B, 4, 6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(x)), reduce(tokens), rtol=1e-6)
    assert ImageClassifier(backbone, include_top=False).output.shape == (None, 4, 6)


def test_head_dropout_is_seeded_and_active_only_in_training():
    model = ConvNeXt(num_classes=3, dropout=0.5, **TINY)
    x = _images((32, 32, 3))
    dropout = model.get_layer("head_dropout")
    assert dropout.rate == 0.5
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(model(x)), keras.ops.convert_to_numpy(model(x)))
    assert not np.allclose(keras.ops.convert_to_numpy(model(x, training=True)), keras.ops.convert_to_numpy(model(x)))


def test_logits_are_float32_under_mixed_precision():
    model = ImageClassifier(TokenBackbone(dtype="mixed_bfloat16"), num_classes=3, pooling="token")
    assert model.get_layer("head_fc").compute_dtype == "float32"
    assert keras.backend.standardize_dtype(model(_images((16, 16, 3))).dtype) == "float32"


def test_layer_groups_come_from_the_backbone_and_the_head_sits_above():
    model = ConvNeXt(num_classes=3, **TINY)
    ids = model.layer_group_ids()
    assert ids == {**model.backbone.layer_group_ids(), "head_norm/gamma": 13, "head_norm/beta": 13,
                   "head_fc/kernel": 13, "head_fc/bias": 13}
    no_groups = ImageClassifier(TokenBackbone(), num_classes=3)
    with pytest.raises(ValueError, match="has no layer groups.*layer_decay=1.0"):
        layerwise_lr_multipliers(no_groups, 0.7)


def test_bad_arguments_get_one_clear_error():
    with pytest.raises(ValueError, match=r"`pooling` must be one of .*Received: pooling='mean'"):
        ImageClassifier(TokenBackbone(), pooling="mean")
    with pytest.raises(ValueError, match="takes a backbone, not its arguments. Received: depths"):
        ImageClassifier(TokenBackbone(), depths=(1, 1, 1, 1))
    with pytest.raises(ValueError, match="must be a keras_zoo image backbone"):
        ImageClassifier("convnext_atto")
    with pytest.raises(ValueError, match=r"`dropout` must be in \[0, 1\). Received: dropout=1.5"):
        keras_zoo.create_model("convnext_atto", dropout=1.5)
