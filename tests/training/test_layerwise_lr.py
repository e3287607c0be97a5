import keras
import numpy as np
import pytest

import keras_zoo
from keras_zoo.models.convnext.convnext_layer_groups import convnext_layer_id
from keras_zoo.optimizers import layerwise_lr_multipliers
from keras_zoo.training import with_layerwise_lr


def _official_layer_id(var_name):
    """facebookresearch/ConvNeXt optim_factory.get_num_layer_for_convnext, verbatim logic."""
    if var_name.startswith("downsample_layers"):
        stage_id = int(var_name.split(".")[1])
        return {0: 0, 1: 2, 2: 3, 3: 12}[stage_id]
    if var_name.startswith("stages"):
        stage_id, block_id = int(var_name.split(".")[1]), int(var_name.split(".")[2])
        if stage_id in (0, 1):
            return stage_id + 1
        if stage_id == 2:
            return 3 + block_id // 3
        return 12
    return 13


def test_layer_ids_follow_the_official_rule_for_convnext_base():
    depths = (3, 3, 27, 3)
    assert convnext_layer_id("stem_conv") == convnext_layer_id("stem_norm") == _official_layer_id("downsample_layers.0.0")
    for stage in range(1, 4):
        ours = convnext_layer_id(f"stage{stage + 1}_downsample_conv")
        assert ours == convnext_layer_id(f"stage{stage + 1}_downsample_norm") == _official_layer_id(f"downsample_layers.{stage}.1")
    for stage, depth in enumerate(depths):
        for block in range(depth):
            assert convnext_layer_id(f"stage{stage + 1}_block{block + 1}") == _official_layer_id(f"stages.{stage}.{block}.dwconv")
    for head in ("head_pool", "head_norm", "head_fc"):
        assert convnext_layer_id(head) == _official_layer_id("head.weight") == 13


def test_multipliers_are_decay_to_the_power_of_depth_from_the_head():
    model = keras_zoo.create_model("convnext_atto", depths=(1, 1, 4, 1), dims=(8, 16, 24, 32), num_classes=3, input_shape=(32, 32, 3))
    multipliers = layerwise_lr_multipliers(model, 0.8)
    assert set(multipliers) == {v.path for v in model.trainable_variables}
    assert multipliers["head_fc/kernel"] == 1.0
    assert multipliers["stem_conv/kernel"] == pytest.approx(0.8**13)
    assert multipliers["stage1_block1/dwconv/kernel"] == pytest.approx(0.8**12)
    assert multipliers["stage3_block4/dwconv/kernel"] == pytest.approx(0.8 ** (13 - 4))  # 3 + 3 // 3
    assert multipliers["stage4_downsample_conv/kernel"] == pytest.approx(0.8)


def _one_step(optimizer_factory, multiplier):
    """Variable changes after one `fit` step (the backend's real train step),
    with the kernel's lr scaled by `multiplier`. (After one step the two runs
    hold different weights, so only the first step is exactly comparable.)"""
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="fc")])
    start = [keras.ops.convert_to_numpy(v) for v in model.trainable_variables]
    optimizer = optimizer_factory()
    if multiplier is not None:
        optimizer = with_layerwise_lr(optimizer, {model.get_layer("fc").kernel.path: multiplier})
    model.compile(optimizer=optimizer, loss="mse")
    x = np.random.RandomState(0).randn(8, 4).astype("float32")
    y = np.random.RandomState(1).randn(8, 3).astype("float32")
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    return [keras.ops.convert_to_numpy(v) - s for v, s in zip(model.trainable_variables, start)]


@pytest.mark.parametrize(
    "factory",
    [lambda: keras.optimizers.AdamW(1e-2, weight_decay=0.5), lambda: keras.optimizers.SGD(0.1, momentum=0.9),
     lambda: keras.optimizers.RMSprop(1e-2)],
    ids=["adamw", "sgd_momentum", "rmsprop"],
)
def test_scales_each_variables_step_on_this_backend(factory):
    plain_kernel, plain_bias = _one_step(factory, None)
    kernel, bias = _one_step(factory, 0.25)
    assert np.abs(plain_kernel).max() > 1e-4  # the step is not negligible
    np.testing.assert_allclose(kernel, 0.25 * plain_kernel, rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(bias, plain_bias, rtol=1e-5, atol=1e-8)


def test_keeps_the_optimizer_class_and_config():
    base = keras.optimizers.AdamW(3e-4, weight_decay=0.05)
    wrapped = with_layerwise_lr(base, {"a/kernel": 0.5})
    assert isinstance(wrapped, keras.optimizers.AdamW)
    config = wrapped.get_config()
    assert config["lr_multipliers"] == {"a/kernel": 0.5}
    assert config["weight_decay"] == 0.05


def test_a_model_compiled_with_it_saves_and_loads(tmp_path):
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(3, name="fc")(inputs))
    multipliers = {model.get_layer("fc").kernel.path: 0.5}
    model.compile(optimizer=with_layerwise_lr(keras.optimizers.AdamW(1e-3), multipliers), loss="mse")
    model.fit(np.ones((4, 4), "float32"), np.zeros((4, 3), "float32"), verbose=0)
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)  # compiled: rebuilds the layer-wise optimizer
    assert type(loaded.optimizer).__name__ == "LayerwiseAdamW"
    assert loaded.optimizer.lr_multipliers == multipliers


def test_layer_decay_on_a_model_without_layer_groups_is_an_error_not_a_no_op():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)], name="plain")
    with pytest.raises(ValueError, match=r"layer_decay=0.8 needs a model with layer groups .*'plain' has none"):
        layerwise_lr_multipliers(model, 0.8)


def test_the_old_import_path_gives_the_same_multipliers():
    from keras_zoo.training import convnext_lr_multipliers

    model = keras_zoo.create_model("convnext_atto", depths=(1, 1, 1, 1), dims=(8, 8, 8, 8), num_classes=2,
                                   input_shape=(32, 32, 3))
    assert convnext_lr_multipliers(model, 0.5) == layerwise_lr_multipliers(model, 0.5)
