"""The `masked_language_modeling` task: BERT's pretraining objective
(Devlin et al., 2019, section 3.1) without next-sentence prediction (as
RoBERTa): text cut into `[CLS] pieces [SEP]` windows of a WordPiece
vocabulary, 15% of the real tokens selected anew each time a batch is read
(80% [MASK], 10% a random token, 10% unchanged), the loss and accuracy
counted on the selected positions only. AdamW with warmup and linear decay,
no weight decay on biases and norms.

After training, the best checkpoint is scored on the held-out test topics
(one fixed mask): masked-token accuracy beside predicting every masked
token by the training text's most frequent token (the unigram baseline).

    from keras_zoo.recipes import load_recipe
    from keras_zoo.training import train_recipe
    result = train_recipe(load_recipe("bert_pydoc_mlm"))  # result.results["test_masked_accuracy"]
"""

import math

import keras
import numpy as np

from keras_zoo.recipes.fields import COMMON_SECTIONS
from keras_zoo.recipes.fields import GRADIENT_FIELDS
from keras_zoo.recipes.fields import Field
from keras_zoo.recipes.fields import below_one
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
        "dataset": Field(str, "pydoc", "a text corpus ('pydoc': the standard library's Python documentation)",
                         choices=("pydoc",)),
        "vocabulary_size": Field(int, 4096, "an int > 5 (the WordPiece vocabulary, special tokens included)",
                                 lambda v: v > 5),
        "lowercase": Field(bool, True, "true (uncased: lower-case, strip accents) or false (cased)"),
        "sequence_length": Field(int, 128, "an int >= 3 (tokens per window, [CLS] and [SEP] included)",
                                 lambda v: v >= 3),
        "tokenizer_path": Field(str, "", "a tokenizer.json or vocab.txt: loaded if it exists, else trained and "
                                         "written there ('': trained each run)"),
    },
    "masking": {
        "selection_rate": Field(float, 0.15, "a float in [0, 1] (of the real tokens)", probability),
        "mask_token_rate": Field(float, 0.8, "a float in [0, 1] (of the selected: [MASK])", probability),
        "random_token_rate": Field(float, 0.1, "a float in [0, 1] (of the selected: a random token)", probability),
        "whole_word": Field(bool, False, "true or false (a word's pieces selected together)"),
    },
    "train": COMMON_SECTIONS["train"],
    "optimizer": {
        "name": Field(str, "adamw", "an optimizer", choices=("adamw", "adam")),
        "learning_rate": Field(float, 1e-4, "a float > 0", positive),
        "reference_batch_size": Field(int, 0, "an int >= 0 (0: use learning_rate as is)", non_negative),
        "weight_decay": Field(float, 0.01, "a float >= 0 (on matrices only)", non_negative),
        "warmup_epochs": Field(float, 0.0, "a float >= 0", non_negative),
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
        "batch_size": Field(int, 32, "an int > 0 (windows per held-out forward pass)", positive),
    },
}

HELD_OUT_SEED_OFFSETS = {"validation": 1, "test": 2}  # their fixed masks differ from training's draws


class MaskedLanguageModelData:
    """What `Task.build_data` returns: `.train` (a new mask each read),
    `.validation` and `.test` (`MaskedBatches`, one fixed mask each),
    `.tokenizer`, `.vocabulary_size`, `.unigram_counts` (of the training
    pieces: the baseline's)."""

    def __init__(self, train, validation, test, tokenizer, unigram_counts):
        self.train, self.validation, self.test = train, validation, test
        self.steps_per_epoch = len(train)
        self.tokenizer, self.vocabulary_size = tokenizer, tokenizer.vocabulary_size
        self.unigram_counts = unigram_counts


def recipe_wordpiece(texts, config):
    """The recipe's WordPiece: loaded from `tokenizer_path` if it exists,
    else trained on the training topics (and written there if set)."""
    import os

    from keras_zoo.data.wordpiece_tokenizer import WordPieceTokenizer

    path = config["tokenizer_path"]
    if path and os.path.exists(path):
        return WordPieceTokenizer.load(path, lowercase=config["lowercase"])
    tokenizer = WordPieceTokenizer.train(texts, config["vocabulary_size"], lowercase=config["lowercase"])
    if path:
        tokenizer.save(path)
    return tokenizer


def mask_generator(tokenizer, masking, seed):
    from keras_zoo.layers import MaskedLMMaskGenerator

    return MaskedLMMaskGenerator(
        tokenizer.vocabulary_size, tokenizer.mask_token_id, special_token_ids=tokenizer.special_token_ids,
        selection_rate=masking["selection_rate"], mask_token_rate=masking["mask_token_rate"],
        random_token_rate=masking["random_token_rate"],
        continuation_token_ids=tokenizer.continuation_token_ids if masking["whole_word"] else None, seed=seed)


def pydoc_windows(config, seed):
    """(tokenizer, {split: word pieces}, {split: encoder windows (N, T)}):
    the Python documentation split by topic, in `[CLS] pieces [SEP]` rows."""
    from keras_zoo.data.language_corpus import pydoc_topic_texts
    from keras_zoo.data.masked_lm_batches import encoder_windows

    texts, _ = pydoc_topic_texts(seed)
    tokenizer = recipe_wordpiece(texts["train"], config)
    pieces = {split: np.concatenate([tokenizer.encode_pieces(text) for text in split_texts]).astype("int32")
              for split, split_texts in texts.items()}
    windows = {split: encoder_windows(stream, config["sequence_length"], tokenizer)
               for split, stream in pieces.items()}
    return tokenizer, pieces, windows


def build_masked_lm_data(recipe):
    from keras_zoo.data.masked_lm_batches import MaskedBatches

    config, train, masking = recipe["data"], recipe["train"], recipe["masking"]
    tokenizer, pieces, windows = pydoc_windows(config, train["seed"])
    if len(windows["train"]) < train["batch_size"]:
        raise ValueError(
            f"The training split holds {len(windows['train'])} windows of {config['sequence_length']} tokens, "
            f"fewer than one batch of {train['batch_size']}. Received: sequence_length={config['sequence_length']}, "
            f"batch_size={train['batch_size']}")
    seed, pad = train["seed"], tokenizer.pad_token_id
    batches = MaskedBatches(windows["train"], train["batch_size"], mask_generator(tokenizer, masking, seed),
                            pad, redraw=True, shuffle=True, seed=seed, drop_remainder=True)
    held_out = {split: MaskedBatches(windows[split], recipe["evaluate"]["batch_size"],
                                     mask_generator(tokenizer, masking, seed + offset), pad, redraw=False)
                for split, offset in HELD_OUT_SEED_OFFSETS.items()}
    counts = np.bincount(pieces["train"], minlength=tokenizer.vocabulary_size)
    return MaskedLanguageModelData(batches, held_out["validation"], held_out["test"], tokenizer, counts)


def build_masked_lm(recipe, data):
    from keras_zoo import create_model

    return create_model(recipe["model"]["name"], **{
        "vocabulary_size": data.vocabulary_size, "padding_token_id": data.tokenizer.pad_token_id,
        "seed": recipe["train"]["seed"], **model_overrides(recipe)})


def build_masked_lm_loss(recipe):
    # The sample weights select the masked positions; the mean is over them.
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="mean_with_sample_weight")


def build_masked_lm_weighted_metrics(recipe):
    return [keras.metrics.SparseCategoricalAccuracy(name="masked_accuracy")]


def compile_masked_lm(recipe, model, data):
    """The [optimizer] section's AdamW (BERT's: linear decay, epsilon
    1e-6), decaying only the matrices."""
    from keras_zoo.training.optimizer_builder import build_optimizer

    train = recipe["train"]
    steps = train["steps_per_epoch"] or data.steps_per_epoch
    optimizer = build_optimizer(recipe["optimizer"], train["batch_size"], train["epochs"], steps)
    optimizer.exclude_from_weight_decay(var_list=[v for v in model.trainable_variables if len(v.shape) < 2])
    model.compile(optimizer=optimizer, loss=build_masked_lm_loss(recipe),
                  weighted_metrics=build_masked_lm_weighted_metrics(recipe))


def masked_token_scores(model, batches):
    """(correct, count, summed loss) over the selected positions of every
    batch, float64 on the host."""
    correct = count = 0
    loss = 0.0
    for index in range(len(batches)):
        inputs, labels, selected = batches[index]
        logits = keras.ops.convert_to_numpy(model(inputs, training=False)).astype("float64")
        chosen = selected > 0
        top = logits.max(-1, keepdims=True)
        log_norm = top[..., 0] + np.log(np.exp(logits - top).sum(-1))
        label_logits = np.take_along_axis(logits, labels[..., None], axis=-1)[..., 0]
        loss += float(((log_norm - label_logits) * chosen).sum())
        correct += int(((logits.argmax(-1) == labels) & chosen).sum())
        count += int(chosen.sum())
    return correct, count, loss


def unigram_baseline(counts, special_token_ids, batches):
    """The accuracy of predicting every masked token by the training text's
    most frequent piece, on the same positions."""
    counts = counts.copy()
    counts[list(special_token_ids)] = 0
    most_frequent = int(counts.argmax())
    hits = total = 0
    for index in range(len(batches)):
        _, labels, selected = batches[index]
        chosen = selected > 0
        hits += int(((labels == most_frequent) & chosen).sum())
        total += int(chosen.sum())
    return hits / max(total, 1), most_frequent


def masked_lm_results(recipe, model, data):
    correct, count, loss = masked_token_scores(model, data.test)
    baseline, most_frequent = unigram_baseline(data.unigram_counts, data.tokenizer.special_token_ids, data.test)
    accuracy = correct / max(count, 1)
    return {
        "test_masked_accuracy": accuracy,
        "test_masked_loss": loss / max(count, 1),
        "test_masked_perplexity": math.exp(loss / max(count, 1)),
        "unigram_accuracy": baseline,
        "unigram_token": data.tokenizer.decode([most_frequent]),
        "points_above_unigram": 100 * (accuracy - baseline),
        "test_masked_tokens": count,
    }


def masked_lm_headline(result):
    r = result.results
    return (f"held-out masked-token accuracy {100 * r['test_masked_accuracy']:.1f}% on {r['test_masked_tokens']} "
            f"masked tokens; unigram baseline ({r['unigram_token']!r}) {100 * r['unigram_accuracy']:.1f}% "
            f"({r['points_above_unigram']:+.1f} points; best val_masked_accuracy {result.best:.4f})")


TASK = register_task("masked_language_modeling", Task(
    schema=SCHEMA,
    open_sections=("model",),
    build_data=build_masked_lm_data,
    build_model=build_masked_lm,
    build_loss=build_masked_lm_loss,
    build_metrics=lambda recipe: [],
    weighted_metrics=build_masked_lm_weighted_metrics,
    monitor="val_masked_accuracy",
    monitor_mode="max",
    compile_model=compile_masked_lm,
    after_fit=masked_lm_results,
    headline=masked_lm_headline,
))
