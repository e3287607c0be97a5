import pytest

from keras_zoo.recipes import RecipeError
from keras_zoo.recipes import list_recipes
from keras_zoo.recipes import load_recipe
from keras_zoo.recipes import parse_override


def test_shipped_recipes_load():
    assert {"digits_convnext", "cifar10_convnext", "convnext_tiny_imagenet1k", "convnext_base_finetune"} <= set(list_recipes())
    for name in list_recipes():
        recipe = load_recipe(name)
        assert recipe["recipe"]["name"] == name


def test_paper_recipes_hold_the_paper_values():
    pretrain = load_recipe("convnext_tiny_imagenet1k")
    assert pretrain["optimizer"]["learning_rate"] == 4e-3 and pretrain["optimizer"]["reference_batch_size"] == 4096
    assert pretrain["optimizer"]["weight_decay"] == 0.05 and pretrain["optimizer"]["warmup_epochs"] == 20
    assert pretrain["train"]["epochs"] == 300 and pretrain["train"]["label_smoothing"] == 0.1
    assert pretrain["model"]["drop_path_rate"] == 0.1
    augment = pretrain["augment"]
    assert (augment["mixup_alpha"], augment["cutmix_alpha"], augment["rand_augment_magnitude"], augment["random_erasing"]) == (0.8, 1.0, 9, 0.25)
    finetune = load_recipe("convnext_base_finetune")
    assert finetune["optimizer"]["learning_rate"] == 5e-5 and finetune["optimizer"]["weight_decay"] == 1e-8
    assert finetune["optimizer"]["warmup_epochs"] == 0 and finetune["train"]["batch_size"] == 512
    assert finetune["optimizer"]["layer_decay"] < 1.0


def test_overrides_are_applied_and_typed():
    recipe = load_recipe("digits_convnext", ["train.epochs=3", "optimizer.learning_rate=1", "model.depths=[1, 1, 1, 1]"])
    assert recipe["train"]["epochs"] == 3
    assert recipe["optimizer"]["learning_rate"] == 1.0 and isinstance(recipe["optimizer"]["learning_rate"], float)
    assert recipe["model"]["depths"] == [1, 1, 1, 1]
    assert parse_override("data.dataset=cifar10") == ("data", "dataset", "cifar10")


@pytest.mark.parametrize(
    "override, message",
    [
        ("train.epocs=3", r"Unknown key 'train.epocs'.*Valid keys in \[train\]: epochs"),
        ("trian.epochs=3", r"Unknown section 'trian'"),
        ("train.epochs=three", r"train.epochs = 'three'.*expected int"),
        ("train.epochs=2.5", r"train.epochs = 2.5.*expected int"),
        ("train.batch_size=0", r"train.batch_size = 0.*impossible. Valid: an int > 0"),
        ("optimizer.learning_rate=-0.1", r"optimizer.learning_rate = -0.1.*impossible. Valid: a float > 0"),
        ("optimizer.ema=1", r"optimizer.ema = 1.*expected bool"),
        ("data.dataset=mnist", r"data.dataset = 'mnist'.*Valid: 'digits', 'cifar10'"),
        ("augment.random_erasing=1.5", r"augment.random_erasing = 1.5.*probability"),
        ("model.name=convnext_tiy", r"model.name = 'convnext_tiy'.*not a registered model"),
        ("train.epochs", r"not of the form section.key=value"),
    ],
)
def test_bad_overrides_are_rejected_with_key_value_and_valid(override, message):
    with pytest.raises(RecipeError, match=message):
        load_recipe("digits_convnext", [override])


@pytest.mark.parametrize(
    "text, message",
    [
        ('[train]\nepochs = 0\n', r"train.epochs = 0.*impossible"),
        ('[optimizer]\nlearning_rate = -4e-3\n', r"optimizer.learning_rate = -0.004.*impossible"),
        ('[train]\nbatch = 64\n', r"Unknown key 'train.batch'"),
        ('[train]\nepochs = "10"\n', r"train.epochs = '10'.*has type str"),
        ('[model]\nname = "convnext_atto"\n[train]\nepochs = [', r"not valid TOML"),
    ],
)
def test_bad_recipe_files_are_rejected(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    if not text.startswith("[model]"):
        text = '[model]\nname = "convnext_atto"\n' + text
    path.write_text(text)
    with pytest.raises(RecipeError, match=message):
        load_recipe(str(path))


def test_unknown_recipe_names_the_shipped_ones():
    with pytest.raises(RecipeError, match="Shipped recipes: .*digits_convnext"):
        load_recipe("digits_convnet")
