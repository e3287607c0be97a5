"""The `text_classification` task: BERT fine-tuning (Devlin et al., 2019,
section 4) of a `TextClassifier` over a backbone, from a pretraining run of
the `masked_language_modeling` task (`pretrained.run`: its `best.keras`
backbone and its `tokenizer.json`) or from scratch.

The carried data is an acceptability judgement made from the Python
documentation (`keras_zoo.data.corrupted_windows`): a window as written,
or with 15% of its pieces replaced by unigram draws; test topics unseen in
training (the pretraining run's split). For users with the data, GLUE's
SST-2 and IMDB reviews through tensorflow-datasets
(`keras_zoo.data.tfds_text_classification`), from a checkpoint they have
(`pretrained.weights`, e.g. Hugging Face's bert-base-uncased, with its
`vocab.txt` as `data.tokenizer_path`). Scored after training: held-out
accuracy beside the majority class.

    keras-zoo train bert_pydoc_acceptability --set pretrained.run=saved_models/bert_pydoc_mlm-...
    keras-zoo train glue_sst2_bert_base --set pretrained.weights=bert-base-uncased/model.safetensors \
        --set data.tokenizer_path=bert-base-uncased/vocab.txt
"""

import os

import keras
import numpy as np

from keras_zoo.data.tfds_text_classification import TFDS_TEXT_DATASETS
from keras_zoo.recipes.fields import COMMON_SECTIONS
from keras_zoo.recipes.fields import GRADIENT_FIELDS
from keras_zoo.recipes.fields import Field
from keras_zoo.recipes.fields import RecipeError
from keras_zoo.recipes.fields import below_one
from keras_zoo.recipes.fields import non_negative
from keras_zoo.recipes.fields import positive
from keras_zoo.training.tasks.masked_language_modeling import SCHEMA as MASKED_LM_SCHEMA
from keras_zoo.training.tasks.masked_language_modeling import pydoc_windows
from keras_zoo.training.tasks.masked_language_modeling import recipe_wordpiece
from keras_zoo.training.tasks.task import Task
from keras_zoo.training.tasks.task import model_overrides
from keras_zoo.training.tasks.task import register_task

SCHEMA = {
    "recipe": COMMON_SECTIONS["recipe"],
    "model": COMMON_SECTIONS["model"],
    "data": {
        "dataset": Field(str, "pydoc_acceptability", "a classification dataset ('pydoc_acceptability': windows of "
                                                     "the Python documentation, as written or corrupted; the others "
                                                     "through tensorflow-datasets)",
                         choices=("pydoc_acceptability", *TFDS_TEXT_DATASETS)),
        "data_dir": Field(str, "", "the tensorflow-datasets folder ('': ~/tensorflow_datasets)"),
        **{key: MASKED_LM_SCHEMA["data"][key]
           for key in ("vocabulary_size", "lowercase", "sequence_length", "tokenizer_path")},
        "corruption_rate": Field(float, 0.15, "a float in (0, 1] (of a corrupted window's pieces replaced)",
                                 lambda v: 0 < v <= 1),
    },
    "pretrained": {
        "run": Field(str, "", "a masked_language_modeling run directory (its best.keras backbone and "
                              "tokenizer.json), or '' to start from scratch"),
        "weights": Field(str, "", "a checkpoint to start from instead of a run: a Hugging Face BERT checkpoint "
                                  "(model.safetensors, pytorch_model.bin) or a keras_zoo .keras / .weights.h5 "
                                  "file, its tokenizer in data.tokenizer_path; or ''"),
    },
    "train": COMMON_SECTIONS["train"],
    "optimizer": {
        "name": Field(str, "adamw", "an optimizer", choices=("adamw", "adam")),
        "learning_rate": Field(float, 5e-5, "a float > 0 (BERT's fine-tuning: 2e-5 to 5e-5)", positive),
        "reference_batch_size": Field(int, 0, "an int >= 0 (0: use learning_rate as is)", non_negative),
        "weight_decay": Field(float, 0.01, "a float >= 0 (on matrices only)", non_negative),
        "warmup_epochs": Field(float, 0.0, "a float >= 0 (BERT: 10% of the steps)", non_negative),
        "schedule": Field(str, "linear", "a schedule", choices=("linear", "cosine", "constant")),
        "min_learning_rate": Field(float, 0.0, "a float >= 0", non_negative),
        "beta_1": Field(float, 0.9, "a float in [0, 1)", below_one),
        "beta_2": Field(float, 0.999, "a float in [0, 1)", below_one),
        "epsilon": Field(float, 1e-6, "a float > 0", positive),
        "ema": Field(bool, False, "true or false"),
        "ema_momentum": Field(float, 0.999, "a float in [0, 1)", below_one),
        **GRADIENT_FIELDS,
    },
    "evaluate": {
        "batch_size": Field(int, 64, "an int > 0 (windows per held-out forward pass)", positive),
    },
}

SPLIT_SEED_OFFSETS = {"train": 0, "validation": 1, "test": 2}


class TextClassificationData:
    """`.train`, `.validation`, `.test` batches of ({"token_ids",
    "segment_ids", "padding_mask"}, labels); `.tokenizer`; `.pretrained`
    (the checkpoint the backbone starts from, or None)."""

    def __init__(self, splits, batch_size, evaluation_batch_size, seed, tokenizer, pretrained, num_classes=2):
        from keras_zoo.data.array_batches import ArrayBatches

        def inputs(token_ids):
            return {"token_ids": token_ids, "segment_ids": np.zeros_like(token_ids),
                    "padding_mask": token_ids != tokenizer.pad_token_id}

        self.train = ArrayBatches(inputs(splits["train"][0]), splits["train"][1], batch_size, shuffle=True,
                                  seed=seed, drop_remainder=True)
        self.validation, self.test = (ArrayBatches(inputs(splits[split][0]), splits[split][1],
                                                   evaluation_batch_size, shuffle=False)
                                      for split in ("validation", "test"))
        self.labels = {split: labels for split, (_, labels) in splits.items()}
        self.steps_per_epoch = len(self.train)
        self.tokenizer, self.vocabulary_size, self.pretrained = tokenizer, tokenizer.vocabulary_size, pretrained
        self.num_classes = num_classes


def pretrained_files(run):
    """(best.keras, tokenizer.json) of a pretraining run, or a clear error."""
    files = tuple(os.path.join(run, name) for name in ("best.keras", "tokenizer.json"))
    missing = [path for path in files if not os.path.exists(path)]
    if missing:
        raise RecipeError(f"pretrained.run = {run!r} is not a finished masked_language_modeling run: "
                          f"{', '.join(missing)} missing.")
    return files


def build_text_classification_data(recipe):
    train = recipe["train"]
    config, checkpoint = pretrained_start(recipe)
    if config["dataset"] in TFDS_TEXT_DATASETS:
        return tfds_classification_data(recipe, config, checkpoint)
    from keras_zoo.data.corrupted_windows import corrupted_windows

    tokenizer, pieces, windows = pydoc_windows(config, train["seed"])
    counts = np.bincount(pieces["train"], minlength=tokenizer.vocabulary_size)
    splits = {split: corrupted_windows(windows[split], counts, tokenizer.special_token_ids, tokenizer.pad_token_id,
                                       config["corruption_rate"], seed=train["seed"] + offset)
              for split, offset in SPLIT_SEED_OFFSETS.items()}
    return TextClassificationData(splits, train["batch_size"], recipe["evaluate"]["batch_size"], train["seed"],
                                  tokenizer, checkpoint)


def pretrained_start(recipe):
    """(the data section, with a pretraining run's tokenizer if one is given;
    the checkpoint the backbone starts from, or None)."""
    config, pretrained = recipe["data"], recipe["pretrained"]
    if pretrained["run"] and pretrained["weights"]:
        raise RecipeError(f"Give pretrained.run or pretrained.weights, not both. Received: run={pretrained['run']!r}, "
                          f"weights={pretrained['weights']!r}")
    if pretrained["run"]:  # its backbone reads its own tokenizer's ids
        checkpoint, tokenizer_path = pretrained_files(pretrained["run"])
        return {**config, "tokenizer_path": tokenizer_path}, checkpoint
    if pretrained["weights"]:
        missing = [f"{key} = {path!r}" for key, path in (("pretrained.weights", pretrained["weights"]),
                                                        ("data.tokenizer_path", config["tokenizer_path"]))
                   if not (path and os.path.exists(path))]
        if missing:  # a checkpoint's embedding rows are its own vocabulary's ids
            raise RecipeError(f"Starting from a checkpoint takes the checkpoint and its tokenizer (vocab.txt or "
                              f"tokenizer.json); not found: {', '.join(missing)}.")
        return config, pretrained["weights"]
    return config, None


def tfds_classification_data(recipe, config, checkpoint):
    from keras_zoo.data.tfds_text_classification import classification_rows
    from keras_zoo.data.tfds_text_classification import tfds_texts
    train = recipe["train"]
    texts, labels, num_classes = tfds_texts(config["dataset"], config["data_dir"])
    tokenizer = recipe_wordpiece(texts["train"], config)  # loaded from tokenizer_path, or trained on train
    splits = {split: (classification_rows(tokenizer, split_texts, config["sequence_length"]), labels[split])
              for split, split_texts in texts.items()}
    return TextClassificationData(splits, train["batch_size"], recipe["evaluate"]["batch_size"], train["seed"],
                                  tokenizer, checkpoint, num_classes)


def build_text_classifier(recipe, data):
    from keras_zoo import create_model

    return create_model(recipe["model"]["name"], **{
        "num_classes": data.num_classes, "vocabulary_size": data.vocabulary_size, "padding_token_id": data.tokenizer.pad_token_id,
        "seed": recipe["train"]["seed"], "weights": data.pretrained, **model_overrides(recipe)})


def build_text_classification_loss(recipe):
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def build_text_classification_metrics(recipe):
    return [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]


def compile_text_classifier(recipe, model, data):
    """The [optimizer] section's AdamW (BERT's fine-tuning: linear decay
    after warmup), decaying only the matrices."""
    from keras_zoo.training.optimizer_builder import build_optimizer

    train = recipe["train"]
    steps = train["steps_per_epoch"] or data.steps_per_epoch
    optimizer = build_optimizer(recipe["optimizer"], train["batch_size"], train["epochs"], steps)
    optimizer.exclude_from_weight_decay(var_list=[v for v in model.trainable_variables if len(v.shape) < 2])
    model.compile(optimizer=optimizer, loss=build_text_classification_loss(recipe),
                  metrics=build_text_classification_metrics(recipe))


def text_classification_results(recipe, model, data):
    correct = 0
    for index in range(len(data.test)):
        inputs, labels = data.test[index]
        logits = keras.ops.convert_to_numpy(model(inputs, training=False))
        correct += int((logits.argmax(-1) == labels).sum())
    labels = data.labels["test"]
    return {
        "test_accuracy": correct / len(labels),
        "majority_accuracy": float(max(np.mean(labels == c) for c in np.unique(labels))),
        "test_examples": int(len(labels)),
        "pretrained": data.pretrained or "",
    }


def text_classification_headline(result):
    r = result.results
    start = f"from {r['pretrained']}" if r["pretrained"] else "from scratch"
    return (f"held-out accuracy {100 * r['test_accuracy']:.1f}% on {r['test_examples']} test examples ({start}); "
            f"majority class {100 * r['majority_accuracy']:.1f}% (best val_accuracy {result.best:.4f})")


TASK = register_task("text_classification", Task(
    schema=SCHEMA,
    open_sections=("model",),
    build_data=build_text_classification_data,
    build_model=build_text_classifier,
    build_loss=build_text_classification_loss,
    build_metrics=build_text_classification_metrics,
    monitor="val_accuracy",
    monitor_mode="max",
    compile_model=compile_text_classifier,
    after_fit=text_classification_results,
    headline=text_classification_headline,
))
