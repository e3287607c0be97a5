"""RepVGG parity with timm (`byobnet.py`) and the official code by weight
transfer, every parameter and BatchNorm statistic perturbed, in inference:
the train form, the deploy form from their fusion, and loading either form
of either layout."""

import keras
import numpy as np
import pytest
import timm
import torch
from timm.models import reparameterize_model

import keras_zoo
from keras_zoo.models.repvgg import reparameterize
from keras_zoo.models.repvgg.repvgg_weights import load_repvgg_weights
from official_repvgg_reference import G4_MAP, OfficialRepVGG, official_convert
from repvgg_references import images, max_relative_error, numpy_state, perturb_, relative_error, torch_outputs

SIZE = 64  # 2x2 maps in the last stage: both paddings and every stride-2 rule matter


def _save(module, path):
    torch.save(module.state_dict(), str(path))
    return str(path)


def _outputs(model, batch):
    return keras.ops.convert_to_numpy(model(batch, training=False))


def _timm(name="repvgg_a0", seed=0, **kwargs):
    return perturb_(timm.create_model(name, pretrained=False, num_classes=7, **kwargs), seed)


def test_timm_a0_train_form_gives_the_same_logits(tmp_path):
    reference = _timm()
    model = keras_zoo.create_model("repvgg_a0", weights=_save(reference, tmp_path / "a0.pth"), num_classes=7,
                                   input_shape=(SIZE, SIZE, 3))
    assert not model.deploy
    batch = images(2, SIZE)
    expected = torch_outputs(reference, batch)
    assert max_relative_error(_outputs(model, batch), expected) < 1e-5

    # Our fusion against timm's, from the same weights; and against our train form.
    deployed = reparameterize(model)
    timm_deployed = reparameterize_model(reference)
    assert max_relative_error(_outputs(deployed, batch), torch_outputs(timm_deployed, batch)) < 1e-5
    assert relative_error(_outputs(deployed, batch), _outputs(model, batch)) < 1e-6


def test_a_timm_deploy_checkpoint_builds_and_fills_the_deploy_form(tmp_path):
    deployed_reference = reparameterize_model(_timm(seed=1))
    path = _save(deployed_reference, tmp_path / "a0_deploy.pth")
    model = keras_zoo.create_model("repvgg_a0", weights=path, num_classes=7, input_shape=(SIZE, SIZE, 3))
    assert model.deploy
    batch = images(2, SIZE, seed=1)
    assert max_relative_error(_outputs(model, batch), torch_outputs(deployed_reference, batch)) < 1e-5


def _official_tiny(seed, deploy=False):
    # repvgg_tiny's shape in the official class: widths 16, 32, 64, 128, stem 16.
    reference = OfficialRepVGG([1, 1, 2, 1], num_classes=7, width_multiplier=[0.25, 0.25, 0.25, 0.25])
    return perturb_(reference, seed)


@pytest.mark.parametrize("form", ["train", "deploy"])
def test_official_layout_loads_in_either_form(tmp_path, form):
    reference = _official_tiny(seed=2)
    if form == "deploy":
        reference = official_convert(reference)
    path = _save(reference, tmp_path / f"official_{form}.pth")
    model = keras_zoo.create_model("repvgg_tiny", weights=path, num_classes=7, input_shape=(32, 32, 3))
    assert model.deploy == (form == "deploy")
    batch = images(3, 32, seed=2)
    assert max_relative_error(_outputs(model, batch), torch_outputs(reference, batch)) < 1e-5


def test_grouped_layers_match_the_officials_layer_indexed_groups(tmp_path):
    # The official code groups layers 2, 4, ..., 26 counted over the whole
    # network; timm and we group every second block of each stage.
    reference = perturb_(OfficialRepVGG([4, 6, 16, 1], num_classes=7, width_multiplier=[0.25, 0.25, 0.25, 0.25],
                                        override_groups_map=G4_MAP), seed=3)
    path = _save(reference, tmp_path / "b_g4.pth")
    model = keras_zoo.create_model("repvgg_b1g4", weights=path, num_classes=7, input_shape=(32, 32, 3),
                                   widths=(16, 32, 64, 128), stem_width=16)
    batch = images(2, 32, seed=3)
    expected = torch_outputs(reference, batch)
    assert max_relative_error(_outputs(model, batch), expected) < 1e-5
    official_deployed = official_convert(reference)
    assert max_relative_error(_outputs(reparameterize(model), batch), torch_outputs(official_deployed, batch)) < 1e-5


def test_a_checkpoint_of_the_other_form_says_so(tmp_path):
    path = _save(reparameterize_model(_timm(seed=4)), tmp_path / "deploy.pth")
    model = keras_zoo.create_model("repvgg_a0", num_classes=7, input_shape=(SIZE, SIZE, 3))
    with pytest.raises(ValueError, match="deploy form and the model 'repvgg_a0' in the train form"):
        load_repvgg_weights(model, path)


def test_a_checkpoint_of_another_variant_names_the_tensor(tmp_path):
    path = _save(_official_tiny(seed=5), tmp_path / "tiny.pth")
    with pytest.raises(ValueError, match="stem.conv_kxk.conv.weight"):
        keras_zoo.create_model("repvgg_a0", weights=path, num_classes=7, input_shape=(32, 32, 3))


def test_a_headless_model_loads_a_classifier_checkpoint(tmp_path):
    reference = _official_tiny(seed=6)
    path = _save(reference, tmp_path / "tiny.pth")
    features = keras_zoo.create_model("repvgg_tiny", weights=path, features_only=True, input_shape=(32, 32, 3))
    batch = images(2, 32, seed=6)
    with torch.no_grad():
        out = torch.from_numpy(batch.transpose(0, 3, 1, 2))
        out = reference.stage0(out)
        for stage in (reference.stage1, reference.stage2, reference.stage3, reference.stage4):
            for block in stage:
                out = block(out)
    expected = out.numpy().transpose(0, 2, 3, 1)
    ours = keras.ops.convert_to_numpy(features(batch, training=False)["stage4"])
    assert max_relative_error(ours, expected) < 1e-5
    np.testing.assert_equal(ours.shape, (2, 1, 1, 128))
