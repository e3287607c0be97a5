"""What a recipe's values may be (`Field`), the checks they use, and the
sections every task shares: `recipe`, `model` and `train`. Each task owns
its other sections (keras_zoo/training/tasks/)."""

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


def positive(value):
    return value > 0


def non_negative(value):
    return value >= 0


def probability(value):
    return 0.0 <= value <= 1.0


def below_one(value):
    return 0.0 <= value < 1.0


def decay(value):
    return 0.0 < value <= 1.0


def without(fields, *keys):
    """A section minus some of its keys."""
    return {key: field for key, field in fields.items() if key not in keys}


def multiple_of_8(value):
    return value >= 8 and value % 8 == 0


# The sections of every task; a task may drop keys it does not use (`without`).
COMMON_SECTIONS = {
    "recipe": {
        "task": Field(str, "image_classification", "a registered task (keras_zoo.training.tasks)"),
        "description": Field(str, "", "any text"),
    },
    "model": {
        "name": Field(str, None, "a registered model name (see `keras-zoo list`)"),
    },
    "train": {
        "epochs": Field(int, 10, "an int > 0", positive),
        "batch_size": Field(int, 64, "an int > 0", positive),
        "label_smoothing": Field(float, 0.0, "a float in [0, 1)", below_one),
        "seed": Field(int, 0, "an int >= 0", non_negative),
        "jit_compile": Field(str, "auto", "'auto', 'true' or 'false'", choices=("auto", "true", "false")),
        "steps_per_epoch": Field(int, 0, "an int >= 0 (0: one pass over the data)", non_negative),
        "precision": Field(str, "float32", "a dtype policy", choices=("float32", "mixed_float16", "mixed_bfloat16")),
        "distribution": Field(str, "auto", "a distribution (auto: all visible accelerators)",
                              choices=("auto", "none", "data_parallel", "model_parallel")),
    },
}

# Optimizer keys any task's [optimizer] section may add: how gradients
# are clipped and accumulated before an update (nanoGPT's GPT-2 recipe:
# global norm 1.0, ~0.5M tokens a step through accumulation).
GRADIENT_FIELDS = {
    "global_clipnorm": Field(float, 0.0, "a float >= 0 (0: no clipping; else the global gradient norm's cap)",
                             non_negative),
    "gradient_accumulation_steps": Field(
        int, 1, "an int >= 1 (1: update every step; n: average n batches' gradients per update)", positive),
}
