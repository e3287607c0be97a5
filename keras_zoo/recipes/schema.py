"""What a recipe may contain: every section, key, type and valid range.

A recipe is rejected before any work starts if it has an unknown key, a value
of the wrong type or an impossible value; the error names the key, the value
received and what is valid. Which sections and keys exist depends on the
recipe's `task` (`TASK_SCHEMAS`): `recipe`, `model`, `train` and `optimizer`
are common, the rest belong to one task. For image classification and
translation the `[model]` section is open: besides `name` its keys are keyword
overrides of the registered model (checked when it is built).
"""

import dataclasses


class RecipeError(ValueError):
    """A recipe (file or command-line override) that cannot be run."""


@dataclasses.dataclass(frozen=True)
class Field:
    kind: type  # int, float, bool, str or list
    default: object
    valid: str  # what is valid, in words, for error messages
    check: object = None  # value -> bool; None accepts any value of `kind`
    choices: tuple = ()


def _positive(value):
    return value > 0


def _non_negative(value):
    return value >= 0


def _probability(value):
    return 0.0 <= value <= 1.0


def _below_one(value):
    return 0.0 <= value < 1.0


def _decay(value):
    return 0.0 < value <= 1.0


SCHEMA = {
    "recipe": {
        "task": Field(str, "image_classification", "a registered task", choices=("image_classification", "translation", "gan")),
        "description": Field(str, "", "any text"),
    },
    "model": {
        "name": Field(str, None, "a registered model name (see `keras-zoo list`)"),
    },
    "data": {
        "dataset": Field(str, "digits", "a dataset name", choices=("digits", "cifar10", "imagenette", "imagenet2012")),
        "data_dir": Field(str, "", "a tensorflow-datasets data directory ('' for tfds' default)"),
        "image_size": Field(int, 32, "an int >= 32 (ConvNeXt downsamples by 32)", lambda v: v >= 32),
        "channels": Field(int, 3, "1 or 3", lambda v: v in (1, 3)),
        "normalize": Field(str, "none", "a normalisation", choices=("none", "imagenet")),
        "validation_fraction": Field(float, 0.0, "a float in [0, 1)", _below_one),
    },
    "train": {
        "epochs": Field(int, 10, "an int > 0", _positive),
        "batch_size": Field(int, 64, "an int > 0", _positive),
        "label_smoothing": Field(float, 0.0, "a float in [0, 1)", _below_one),
        "seed": Field(int, 0, "an int >= 0", _non_negative),
        "jit_compile": Field(str, "auto", "'auto', 'true' or 'false'", choices=("auto", "true", "false")),
        "steps_per_epoch": Field(int, 0, "an int >= 0 (0: one pass over the data)", _non_negative),
        "precision": Field(str, "float32", "a dtype policy", choices=("float32", "mixed_float16", "mixed_bfloat16")),
        "distribution": Field(str, "auto", "a distribution (auto: all visible accelerators)",
                              choices=("auto", "none", "data_parallel", "model_parallel")),
    },
    "optimizer": {
        "name": Field(str, "adamw", "an optimizer", choices=("adamw", "adam", "sgd")),
        "learning_rate": Field(float, 1e-3, "a float > 0", _positive),
        "reference_batch_size": Field(int, 0, "an int >= 0 (0: use learning_rate as is)", _non_negative),
        "weight_decay": Field(float, 0.0, "a float >= 0", _non_negative),
        "warmup_epochs": Field(float, 0.0, "a float >= 0", _non_negative),
        "schedule": Field(str, "cosine", "a schedule", choices=("cosine", "constant")),
        "min_learning_rate": Field(float, 0.0, "a float >= 0", _non_negative),
        "beta_1": Field(float, 0.9, "a float in [0, 1)", _below_one),
        "beta_2": Field(float, 0.999, "a float in [0, 1)", _below_one),
        "ema": Field(bool, False, "true or false"),
        "ema_momentum": Field(float, 0.9999, "a float in [0, 1)", _below_one),
        "layer_decay": Field(float, 1.0, "a float in (0, 1] (1: no layer-wise decay)", _decay),
    },
    "augment": {
        "horizontal_flip": Field(bool, False, "true or false"),
        "random_translation": Field(float, 0.0, "a float in [0, 1) (fraction of the side)", _below_one),
        "rand_augment_magnitude": Field(int, 0, "an int in [0, 10] (0: off)", lambda v: 0 <= v <= 10),
        "rand_augment_ops": Field(int, 2, "an int > 0", _positive),
        "random_erasing": Field(float, 0.0, "a probability in [0, 1]", _probability),
        "mixup_alpha": Field(float, 0.0, "a float >= 0 (0: off)", _non_negative),
        "cutmix_alpha": Field(float, 0.0, "a float >= 0 (0: off)", _non_negative),
        "mix_probability": Field(float, 1.0, "a probability in [0, 1]", _probability),
        "switch_probability": Field(float, 0.5, "a probability in [0, 1]", _probability),
    },
}


def _without(fields, *keys):
    return {key: field for key, field in fields.items() if key not in keys}


def _multiple_of_8(value):
    return value >= 8 and value % 8 == 0


# The Transformer (Vaswani et al. 2017): Adam on the paper's schedule, eq. 3.
TRANSLATION_SCHEMA = {
    "recipe": SCHEMA["recipe"],
    "model": SCHEMA["model"],
    "data": {
        "dataset": Field(str, "number_translation", "a translation dataset",
                         choices=("number_translation", "ted_hrlr_translate/pt_to_en")),
        "num_train": Field(int, 40000, "an int > 0 (number_translation: training sentences)", _positive),
        "num_validation": Field(int, 1000, "an int > 0 (number_translation: sentences that pick the best epoch)", _positive),
        "num_test": Field(int, 1000, "an int > 0 (number_translation: held-out sentences scored after training)", _positive),
        "vocabulary_size": Field(int, 8000, "an int > 3 (subword vocabulary, TED)", lambda v: v > 3),
        "max_tokens": Field(int, 64, "an int > 0 (longest training sentence in subwords, TED)", _positive),
        "data_dir": Field(str, "", "a tensorflow-datasets data directory ('' for tfds' default)"),
        "tokenizer_path": Field(str, "", "a file for the subword tokenizer, trained once from the training split ('': retrain each run)"),
    },
    "train": _without(SCHEMA["train"], "jit_compile"),
    "optimizer": {
        "name": Field(str, "adam", "an optimizer", choices=("adam",)),
        "schedule": Field(str, "transformer", "a schedule ('transformer': the paper's eq. 3)",
                          choices=("transformer", "constant")),
        "warmup_steps": Field(int, 4000, "an int > 0", _positive),
        "scale": Field(float, 1.0, "a float > 0 (multiplies the transformer schedule)", _positive),
        "learning_rate": Field(float, 1e-4, "a float > 0 (the 'constant' schedule's rate)", _positive),
        "beta_1": Field(float, 0.9, "a float in [0, 1)", _below_one),
        "beta_2": Field(float, 0.98, "a float in [0, 1)", _below_one),
        "epsilon": Field(float, 1e-9, "a float > 0", _positive),
        # An average of the recent weights, like the paper's averaged last 5 checkpoints (section 6.1).
        "ema": Field(bool, False, "true or false"),
        "ema_momentum": Field(float, 0.999, "a float in [0, 1)", _below_one),
    },
    "evaluate": {
        "metric": Field(str, "exact_match", "a held-out metric", choices=("exact_match", "bleu")),
        "split": Field(str, "test", "the split decoded after training", choices=("test", "validation")),
        "max_length": Field(int, 0, "an int >= 0 (0: the dataset's longest target)", _non_negative),
        "num_beams": Field(int, 4, "an int >= 1 (1: greedy only)", _positive),
        "length_penalty": Field(float, 0.6, "a float >= 0", _non_negative),
    },
}

# DCGAN / WGAN / WGAN-GP: no validation set; quality is measured after training.
GAN_SCHEMA = {
    "recipe": SCHEMA["recipe"],
    "model": {
        "name": Field(str, None, "a GAN variant", choices=("dcgan", "wgan", "wgan_gp")),
        "latent_dim": Field(int, None, "an int > 0", _positive),
        "base_filters": Field(int, None, "an int > 0", _positive),
        "n_critic": Field(int, None, "an int >= 1 (critic updates per generator update)", _positive),
        "gradient_penalty_weight": Field(float, None, "a float >= 0 (WGAN-GP lambda)", _non_negative),
        "clip_value": Field(float, None, "a float > 0 (WGAN weight clipping c)", _positive),
    },
    "data": {
        "dataset": Field(str, "digits", "a GAN dataset", choices=("digits", "mnist", "celeb_a")),
        "data_dir": Field(str, "", "a tensorflow-datasets data directory ('' for tfds' default)"),
        "image_size": Field(int, 8, "a multiple of 8", _multiple_of_8),
        "channels": Field(int, 1, "1 or 3", lambda v: v in (1, 3)),
    },
    "train": _without(SCHEMA["train"], "jit_compile", "label_smoothing"),
    "optimizer": {  # one instance per network
        "name": Field(str, "adam", "an optimizer", choices=("adam", "rmsprop")),
        "learning_rate": Field(float, 1e-4, "a float > 0", _positive),
        "beta_1": Field(float, 0.0, "a float in [0, 1) (adam)", _below_one),
        "beta_2": Field(float, 0.9, "a float in [0, 1) (adam)", _below_one),
    },
    "callbacks": {
        "sample_grid_every_epochs": Field(int, 1, "an int >= 1", _positive),
        "sample_grid_scale": Field(int, 1, "an int >= 1 (pixels per sample pixel)", _positive),
    },
    "evaluate": {
        "num_samples": Field(int, 1000, "an int > 0 (generated images judged after training)", _positive),
        "classifier_epochs": Field(int, 40, "an int > 0 (training of the digits classifier that judges)", _positive),
    },
}

TASK_SCHEMAS = {"image_classification": SCHEMA, "translation": TRANSLATION_SCHEMA, "gan": GAN_SCHEMA}
# Sections whose keys besides `name` are free keyword overrides of the model.
_OPEN_SECTIONS = {"image_classification": ("model",), "translation": ("model",), "gan": ()}

# Model overrides may hold scalars and lists of scalars.
_MODEL_VALUE_TYPES = (int, float, str, bool, list)


def validate_value(section, key, value, source="recipe", task="image_classification"):
    """Returns `value` converted to the key's type, or raises `RecipeError`.
    Which keys exist depends on `task` (see `TASK_SCHEMAS`)."""
    where = f"{section}.{key}"
    schema = TASK_SCHEMAS[task]
    if section not in schema:
        raise RecipeError(
            f"Unknown section '{section}' in {source} (key '{where}') for task '{task}'. "
            f"Valid sections: {', '.join(schema)}"
        )
    if section in _OPEN_SECTIONS[task] and key != "name":
        if not isinstance(value, _MODEL_VALUE_TYPES):
            raise RecipeError(
                f"{where} = {value!r} in {source}: a model override must be a "
                "number, string, boolean or list."
            )
        return value
    fields = schema[section]
    if key not in fields:
        raise RecipeError(
            f"Unknown key '{where}' in {source} (value {value!r}) for task '{task}'. "
            f"Valid keys in [{section}]: {', '.join(fields)}"
        )
    field = fields[key]
    if field.kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, field.kind) or (field.kind is int and isinstance(value, bool)):
        raise RecipeError(
            f"{where} = {value!r} in {source} has type {type(value).__name__}; "
            f"expected {field.kind.__name__}: {field.valid}."
        )
    if field.choices and value not in field.choices:
        raise RecipeError(
            f"{where} = {value!r} in {source} is not valid. Valid: {', '.join(map(repr, field.choices))}."
        )
    if field.check is not None and not field.check(value):
        raise RecipeError(f"{where} = {value!r} in {source} is impossible. Valid: {field.valid}.")
    return value


def defaults(task="image_classification"):
    """The recipe every file of `task` starts from: each section's default values."""
    recipe = {
        section: {key: field.default for key, field in fields.items() if field.default is not None}
        for section, fields in TASK_SCHEMAS[task].items()
    }
    recipe["recipe"]["task"] = task
    return recipe
