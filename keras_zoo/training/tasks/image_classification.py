"""The `image_classification` task: a registered image model trained with
cross-entropy on one-hot (MixUp/CutMix-mixed) labels, the [optimizer]
section's AdamW/Adam/SGD on warmup + cosine, optional EMA and layer-wise
lr decay (for models with layer groups); best.keras by validation accuracy."""

import keras

from keras_zoo.recipes.fields import COMMON_SECTIONS
from keras_zoo.recipes.fields import GRADIENT_FIELDS
from keras_zoo.recipes.fields import Field
from keras_zoo.recipes.fields import below_one
from keras_zoo.recipes.fields import decay
from keras_zoo.recipes.fields import non_negative
from keras_zoo.recipes.fields import positive
from keras_zoo.recipes.fields import probability
from keras_zoo.training.tasks.task import Task
from keras_zoo.training.tasks.task import model_overrides
from keras_zoo.training.tasks.task import register_task

SCHEMA = {
    "recipe": COMMON_SECTIONS["recipe"],
    "model": COMMON_SECTIONS["model"],
    "data": {
        "dataset": Field(str, "digits", "a dataset name", choices=("digits", "cifar10", "imagenette", "imagenet2012")),
        "data_dir": Field(str, "", "a tensorflow-datasets data directory ('' for tfds' default)"),
        "image_size": Field(int, 32, "an int >= 32 (ConvNeXt downsamples by 32; a ViT takes multiples of its patch)",
                            lambda v: v >= 32),
        "channels": Field(int, 3, "1 or 3", lambda v: v in (1, 3)),
        "normalize": Field(str, "none", "a normalisation", choices=("none", "imagenet")),
        # DeiT's 3 (Touvron et al. 2021, `--repeated-aug`): keras_zoo/data/repeated_augmentation.py.
        "repeated_augmentation": Field(int, 1, "an int >= 1, the copies of each image (1: off; DeiT: 3)", positive),
    },
    "train": COMMON_SECTIONS["train"],
    "optimizer": {
        "name": Field(str, "adamw", "an optimizer", choices=("adamw", "adam", "sgd")),
        "learning_rate": Field(float, 1e-3, "a float > 0", positive),
        "reference_batch_size": Field(int, 0, "an int >= 0 (0: use learning_rate as is)", non_negative),
        "weight_decay": Field(float, 0.0, "a float >= 0", non_negative),
        "warmup_epochs": Field(float, 0.0, "a float >= 0", non_negative),
        "schedule": Field(str, "cosine", "a schedule", choices=("cosine", "constant")),
        "min_learning_rate": Field(float, 0.0, "a float >= 0", non_negative),
        "beta_1": Field(float, 0.9, "a float in [0, 1)", below_one),
        "beta_2": Field(float, 0.999, "a float in [0, 1)", below_one),
        # Keras' default; timm's optimizers (DeiT's and MAE's code) use 1e-8 (`--opt-eps`).
        "epsilon": Field(float, 1e-7, "a float > 0 (Adam/AdamW only)", positive),
        "ema": Field(bool, False, "true or false"),
        "ema_momentum": Field(float, 0.9999, "a float in [0, 1)", below_one),
        "layer_decay": Field(float, 1.0, "a float in (0, 1] (1: no layer-wise decay)", decay),
        **GRADIENT_FIELDS,
    },
    "augment": {
        "horizontal_flip": Field(bool, False, "true or false"),
        "random_translation": Field(float, 0.0, "a float in [0, 1) (fraction of the side)", below_one),
        "rand_augment_magnitude": Field(int, 0, "an int in [0, 10] (0: off)", lambda v: 0 <= v <= 10),
        "rand_augment_ops": Field(int, 2, "an int > 0", positive),
        "random_erasing": Field(float, 0.0, "a probability in [0, 1]", probability),
        "mixup_alpha": Field(float, 0.0, "a float >= 0 (0: off)", non_negative),
        "cutmix_alpha": Field(float, 0.0, "a float >= 0 (0: off)", non_negative),
        "mix_probability": Field(float, 1.0, "a probability in [0, 1]", probability),
        "switch_probability": Field(float, 0.5, "a probability in [0, 1]", probability),
    },
}


def build_classification_data(recipe):
    from keras_zoo.data.image_pipeline import image_classification_data
    from keras_zoo.distribution import replica_count

    # The trainer builds the data inside its distribution scope (as it sizes
    # the batch there): replica_count() is the replicas that split each batch.
    return image_classification_data(
        recipe["data"], recipe["augment"], recipe["train"]["batch_size"], seed=recipe["train"]["seed"],
        num_replicas=replica_count(),
    )


def build_classification_model(recipe, data):
    from keras_zoo import create_model

    return create_model(
        recipe["model"]["name"],
        **{"num_classes": data.num_classes, "input_shape": data.input_shape, "seed": recipe["train"]["seed"],
           **model_overrides(recipe)},
    )


def build_classification_loss(recipe):
    # Labels arrive one-hot (and mixed by MixUp/CutMix); logits come out of the model.
    return keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=recipe["train"]["label_smoothing"])


def build_classification_metrics(recipe):
    return [keras.metrics.CategoricalAccuracy(name="accuracy")]


def layerwise_multipliers(model, layer_decay):
    from keras_zoo.optimizers import layerwise_lr_multipliers

    return layerwise_lr_multipliers(model, layer_decay)


def classification_headline(result):
    return f"best validation accuracy {result.best:.4f}"


TASK = register_task("image_classification", Task(
    schema=SCHEMA,
    open_sections=("model",),
    build_data=build_classification_data,
    build_model=build_classification_model,
    build_loss=build_classification_loss,
    build_metrics=build_classification_metrics,
    monitor="val_accuracy",
    monitor_mode="max",
    lr_multipliers=layerwise_multipliers,
    headline=classification_headline,
))
