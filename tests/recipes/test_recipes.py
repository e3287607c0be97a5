import os

import pytest

from keras_zoo.recipes import RecipeError
from keras_zoo.recipes import list_recipes
from keras_zoo.recipes import load_recipe
from keras_zoo.recipes import parse_override
from keras_zoo.recipes.recipe_loader import recipe_path
from keras_zoo.recipes.schema import SCHEMA
from keras_zoo.recipes.schema import TASK_SCHEMAS


TASK_OF = {
    "digits_convnext": "image_classification", "cifar10_convnext": "image_classification",
    "digits_vit": "image_classification", "cifar10_vit": "image_classification",
    "imagenette_vit": "image_classification", "deit_base_imagenet1k": "image_classification",
    "vit_base_finetune": "image_classification",
    "convnext_tiny_imagenet1k": "image_classification", "convnext_base_finetune": "image_classification",
    "transformer_number_translation": "translation", "transformer_ted_pt_en": "translation",
    "gan_digits_wgan_gp": "gan", "gan_digits_wgan": "gan", "gan_digits_dcgan": "gan",
    "gan_mnist_wgan_gp": "gan", "gan_celeba_wgan_gp": "gan",
    "gpt_pydoc": "language_modeling", "gpt_tiny_shakespeare": "language_modeling", "gpt2_openwebtext": "language_modeling",
    "bert_pydoc_mlm": "masked_language_modeling", "bert_pydoc_acceptability": "text_classification",
    "glue_sst2_bert_base": "text_classification", "imdb_bert_base": "text_classification",
}


def test_shipped_recipes_load_and_validate():
    assert set(list_recipes()) == set(TASK_OF)
    for name in list_recipes():
        recipe = load_recipe(name)
        assert recipe["recipe"]["name"] == name
        assert recipe["recipe"]["task"] == TASK_OF[name]
        assert set(recipe) == set(TASK_SCHEMAS[TASK_OF[name]])  # every section of its task, no other


def test_recipes_live_in_the_top_level_recipes_folder():
    top_level = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "recipes")
    shipped = sorted(os.path.splitext(f)[0] for f in os.listdir(top_level) if f.endswith(".toml"))
    assert shipped == list_recipes()
    assert os.path.samefile(recipe_path("digits_convnext"), os.path.join(top_level, "digits_convnext.toml"))


def test_every_task_has_a_schema_and_a_trainer():
    from keras_zoo.training.tasks import TASKS

    assert set(TASK_SCHEMAS) == set(TASKS) == {"image_classification", "translation", "gan", "language_modeling",
                                               "masked_language_modeling", "text_classification"}
    assert SCHEMA is TASKS["image_classification"].schema


def test_a_new_task_is_one_registration_and_its_recipes_validate_against_its_own_sections(tmp_path):
    from keras_zoo.recipes.fields import COMMON_SECTIONS
    from keras_zoo.recipes.fields import Field
    from keras_zoo.recipes.fields import positive
    from keras_zoo.training.tasks import TASKS
    from keras_zoo.training.tasks import Task
    from keras_zoo.training.tasks import register_task

    schema = {**COMMON_SECTIONS, "data": {"num_tokens": Field(int, 128, "an int > 0", positive)}}
    register_task("toy_language_modelling", Task(schema=schema, build_data=None, build_model=None, build_loss=None,
                                                  build_metrics=None, monitor=None, monitor_mode=None))
    try:
        path = tmp_path / "toy.toml"
        path.write_text('task = "toy_language_modelling"\n[model]\nname = "transformer_tiny"\n[data]\nnum_tokens = 64\n')
        recipe = load_recipe(str(path))
        assert recipe["data"] == {"num_tokens": 64} and recipe["train"]["epochs"] == 10
        with pytest.raises(RecipeError, match=r"Unknown section 'augment'.*'toy_language_modelling'"):
            load_recipe(str(path), ["augment.mixup_alpha=0.1"])
    finally:
        del TASKS["toy_language_modelling"]


def test_transformer_recipe_holds_the_papers_values():
    recipe = load_recipe("transformer_number_translation")
    optimizer = recipe["optimizer"]
    assert (optimizer["name"], optimizer["beta_1"], optimizer["beta_2"], optimizer["epsilon"]) == ("adam", 0.9, 0.98, 1e-9)
    assert optimizer["schedule"] == "transformer" and recipe["train"]["label_smoothing"] == 0.1
    assert (recipe["evaluate"]["num_beams"], recipe["evaluate"]["length_penalty"]) == (4, 0.6)
    assert load_recipe("transformer_ted_pt_en")["evaluate"]["metric"] == "bleu"


@pytest.mark.parametrize(
    "name, override, message",
    [
        # A key of another task is unknown to this one; the error lists this task's keys.
        ("transformer_number_translation", "augment.mixup_alpha=0.8",
         r"Unknown section 'augment'.*for task 'translation'. Valid sections: recipe, model, data, train, optimizer, evaluate"),
        ("transformer_number_translation", "optimizer.weight_decay=0.05",
         r"Unknown key 'optimizer.weight_decay'.*for task 'translation'. Valid keys in \[optimizer\]: name, schedule, warmup_steps"),
        ("transformer_number_translation", "optimizer.schedule=cosine", r"optimizer.schedule = 'cosine'.*Valid: 'transformer', 'constant'"),
        ("transformer_number_translation", "evaluate.num_beams=0", r"evaluate.num_beams = 0.*impossible. Valid: an int >= 1"),
        ("transformer_number_translation", "data.dataset=wmt14", r"data.dataset = 'wmt14'.*Valid: 'number_translation'"),
        ("gan_digits_wgan_gp", "model.drop_path_rate=0.1",
         r"Unknown key 'model.drop_path_rate'.*for task 'gan'. Valid keys in \[model\]: name, latent_dim, base_filters"),
        ("gan_digits_wgan_gp", "data.image_size=12", r"data.image_size = 12.*impossible. Valid: a multiple of 8"),
        ("gan_digits_wgan_gp", "model.name=convnext_atto", r"model.name = 'convnext_atto'.*Valid: 'dcgan', 'wgan', 'wgan_gp'"),
        ("gan_digits_wgan_gp", "optimizer.name=adamw", r"optimizer.name = 'adamw'.*Valid: 'adam', 'rmsprop'"),
        ("gan_digits_wgan_gp", "callbacks.sample_grid_every_epochs=0", r"callbacks.sample_grid_every_epochs = 0.*impossible"),
        ("gan_digits_wgan_gp", "train.label_smoothing=0.1", r"Unknown key 'train.label_smoothing'.*for task 'gan'"),
        ("digits_convnext", "evaluate.num_beams=4", r"Unknown section 'evaluate'.*for task 'image_classification'"),
        ("digits_convnext", "recipe.task=gan", r"recipe.task cannot be overridden.*'image_classification'"),
    ],
)
def test_keys_are_checked_against_the_recipes_task(name, override, message):
    with pytest.raises(RecipeError, match=message):
        load_recipe(name, [override])


def test_task_specific_recipe_file_is_rejected_with_valid_keys(tmp_path):
    path = tmp_path / "bad_gan.toml"
    path.write_text('task = "gan"\n[model]\nname = "wgan_gp"\n[augment]\nhorizontal_flip = true\n')
    with pytest.raises(RecipeError, match=r"Unknown section 'augment'.*for task 'gan'. Valid sections: .*callbacks, evaluate"):
        load_recipe(str(path))
    path.write_text('task = "tranlation"\n')
    with pytest.raises(RecipeError, match=r"recipe.task = 'tranlation'.*Valid: 'image_classification', 'translation', 'gan'"):
        load_recipe(str(path))


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


def test_deit_and_vit_finetune_recipes_hold_the_papers_values():
    deit = load_recipe("deit_base_imagenet1k")  # Touvron et al. 2021, Table 9; deit main.py
    optimizer, augment = deit["optimizer"], deit["augment"]
    assert (optimizer["learning_rate"], optimizer["reference_batch_size"], deit["train"]["batch_size"]) == (5e-4, 512, 1024)
    assert (optimizer["weight_decay"], optimizer["warmup_epochs"], deit["train"]["epochs"]) == (0.05, 5, 300)
    assert optimizer["ema"] and optimizer["ema_momentum"] == 0.99996 and optimizer["epsilon"] == 1e-8
    assert deit["data"]["repeated_augmentation"] == 3 and deit["model"]["drop_path_rate"] == 0.1
    assert (augment["mixup_alpha"], augment["cutmix_alpha"], augment["rand_augment_magnitude"], augment["random_erasing"]) == (0.8, 1.0, 9, 0.25)
    assert deit["train"]["label_smoothing"] == 0.1
    finetune = load_recipe("vit_base_finetune")  # He et al. 2022 (MAE), Table 11, FINETUNE.md
    assert finetune["optimizer"]["layer_decay"] == 0.65 and finetune["model"]["global_pool"] == "avg"
    assert (finetune["optimizer"]["learning_rate"], finetune["optimizer"]["reference_batch_size"]) == (5e-4, 256)
    assert finetune["train"]["epochs"] == 100 and finetune["model"]["drop_path_rate"] == 0.1


def test_bert_fine_tuning_recipes_hold_the_papers_values():
    for name, dataset, epochs, length in (("glue_sst2_bert_base", "glue/sst2", 3, 128),
                                          ("imdb_bert_base", "imdb_reviews", 2, 512)):
        recipe = load_recipe(name)  # Devlin et al. 2019, section 4 and appendix A.3
        optimizer, train = recipe["optimizer"], recipe["train"]
        assert (recipe["model"]["name"], recipe["data"]["dataset"], recipe["data"]["sequence_length"]) == (
            "bert_base", dataset, length)
        assert (optimizer["name"], optimizer["learning_rate"], optimizer["schedule"], train["batch_size"]) == (
            "adamw", 2e-5, "linear", 32)
        assert train["epochs"] == epochs and abs(optimizer["warmup_epochs"] / epochs - 0.1) < 1e-9  # 10% warmup
        assert optimizer["weight_decay"] == 0.01 and optimizer["global_clipnorm"] == 1.0


def test_every_vit_recipe_builds_its_model_with_layer_groups_for_the_decay():
    """The recipes' model sections are valid ViT arguments (a tiny stand-in
    for the full-size models: same family, same keys)."""
    import keras_zoo

    for name in ("deit_base_imagenet1k", "vit_base_finetune", "cifar10_vit", "imagenette_vit", "digits_vit"):
        model_section = {k: v for k, v in load_recipe(name)["model"].items() if k != "name"}
        model = keras_zoo.create_model("vit_micro_patch4_32", **{**model_section, "depth": 2}, num_classes=3)
        assert max(model.layer_group_ids().values()) == 3  # embeddings 0, blocks 1-2, norm and head 3


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
