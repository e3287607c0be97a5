"""The `language_modeling` task: a causal language model (GPT) trained on
next-token windows of a text corpus with AdamW on warmup + cosine, weight
decay on matrices only, optional gradient clipping and accumulation
(nanoGPT's recipe). After training, its best checkpoint is scored on the
held-out test split: loss, perplexity and bits per character, beside an
add-one-smoothed bigram model of the same tokens; a sample of generated
text goes to the run directory. From Python:

    from keras_zoo.recipes import load_recipe
    from keras_zoo.training import train_recipe
    result = train_recipe(load_recipe("gpt_pydoc"))  # result.results["test_perplexity"]
"""

import math
import os

import keras
import numpy as np

from keras_zoo.recipes.fields import COMMON_SECTIONS
from keras_zoo.recipes.fields import GRADIENT_FIELDS
from keras_zoo.recipes.fields import Field
from keras_zoo.recipes.fields import below_one
from keras_zoo.recipes.fields import non_negative
from keras_zoo.recipes.fields import positive
from keras_zoo.training.tasks.task import Task
from keras_zoo.training.tasks.task import model_overrides
from keras_zoo.training.tasks.task import register_task

SCHEMA = {
    "recipe": COMMON_SECTIONS["recipe"],
    "model": COMMON_SECTIONS["model"],
    "data": {
        "dataset": Field(str, "pydoc", "a text corpus ('pydoc': the standard library's Python documentation; "
                                       "'token_files': train_tokens / validation_tokens)",
                         choices=("pydoc", "tiny_shakespeare", "token_files")),
        "vocabulary_size": Field(int, 2048, "an int >= 257 (the byte-level BPE's vocabulary, pydoc)",
                                 lambda v: v >= 257),
        "sequence_length": Field(int, 128, "an int > 0 (tokens per training window)", positive),
        "data_dir": Field(str, "", "a tensorflow-datasets data directory ('' for tfds' default)"),
        "tokenizer_path": Field(str, "", "a tokenizer.json: loaded if it exists, else trained and written there "
                                         "('': trained each run); token_files: that or a directory with GPT-2's "
                                         "vocab.json + merges.txt"),
        "train_tokens": Field(str, "", "token_files: the training token file (nanoGPT's train.bin)"),
        "validation_tokens": Field(str, "", "token_files: the held-out token file (nanoGPT's val.bin)"),
        "held_out_windows": Field(int, 200, "an int > 0 (token_files: validation and test windows each)", positive),
    },
    "train": COMMON_SECTIONS["train"],
    "optimizer": {
        "name": Field(str, "adamw", "an optimizer", choices=("adamw", "adam")),
        "learning_rate": Field(float, 6e-4, "a float > 0", positive),
        "reference_batch_size": Field(int, 0, "an int >= 0 (0: use learning_rate as is)", non_negative),
        # nanoGPT: decay on the matrices (embeddings included), none on biases and norms.
        "weight_decay": Field(float, 0.1, "a float >= 0 (on matrices only)", non_negative),
        "warmup_epochs": Field(float, 0.0, "a float >= 0", non_negative),
        "schedule": Field(str, "cosine", "a schedule", choices=("cosine", "constant")),
        "min_learning_rate": Field(float, 6e-5, "a float >= 0", non_negative),
        "beta_1": Field(float, 0.9, "a float in [0, 1)", below_one),
        "beta_2": Field(float, 0.95, "a float in [0, 1)", below_one),
        "epsilon": Field(float, 1e-8, "a float > 0", positive),
        "ema": Field(bool, False, "true or false"),
        "ema_momentum": Field(float, 0.999, "a float in [0, 1)", below_one),
        **GRADIENT_FIELDS,
    },
    "evaluate": {
        "prompt": Field(str, "The \"with\" statement", "a non-empty text the sample continues", lambda v: bool(v)),
        "sample_tokens": Field(int, 200, "an int > 0 (tokens in the written sample)", positive),
        "sample_every_epochs": Field(int, 0, "an int >= 0 (0: one sample, after the last epoch)", non_negative),
        "temperature": Field(float, 0.8, "a float > 0", positive),
        "top_k": Field(int, 40, "an int >= 0 (0: no top-k filtering)", non_negative),
        "batch_size": Field(int, 32, "an int > 0 (windows per held-out forward pass)", positive),
    },
}


class LanguageModelData:
    """What `Task.build_data` returns: `.train` batches for `fit`,
    `.validation` next-token windows, `.windows` ({"validation" | "test":
    (inputs, targets)}), the `.corpus` (`TokenCorpus`: its "train" stream is
    what the bigram baseline counts), `.tokenizer`, `.vocabulary_size`."""

    def __init__(self, train, windows, corpus, batch_size):
        from keras_zoo.data.array_batches import ArrayBatches

        self.train, self.windows, self.corpus = train, windows, corpus
        self.validation = ArrayBatches(*windows["validation"], batch_size, shuffle=False)
        self.steps_per_epoch = len(train)
        self.tokenizer = corpus.tokenizer
        self.vocabulary_size = corpus.tokenizer.vocabulary_size


def corpus_data(corpus, sequence_length, batch_size, seed):
    """Every window of a corpus held in memory, the training ones shuffled
    each epoch."""
    from keras_zoo.data.array_batches import ArrayBatches
    from keras_zoo.data.language_corpus import next_token_windows

    windows = {split: next_token_windows(stream, sequence_length) for split, stream in corpus.splits.items()}
    if len(windows["train"][0]) < batch_size:
        raise ValueError(
            f"The training split holds {len(windows['train'][0])} windows of {sequence_length} tokens, "
            f"fewer than one batch of {batch_size}. Received: sequence_length={sequence_length}, "
            f"batch_size={batch_size}")
    train = ArrayBatches(*windows["train"], batch_size, shuffle=True, seed=seed, drop_remainder=True)
    return LanguageModelData(train, windows, corpus, batch_size)


BIGRAM_TRAIN_TOKENS = 10_000_000  # of a token file: what the bigram baseline counts


def token_file_data(config, train):
    """nanoGPT's data: `steps_per_epoch` batches of random windows of the
    training token file; fixed held-out windows, evenly spaced, from the
    validation file: its first half for validation, its second for test."""
    from keras_zoo.data import token_files
    from keras_zoo.data.language_corpus import TokenCorpus

    if not config["tokenizer_path"]:
        raise ValueError("dataset = 'token_files' needs data.tokenizer_path: the tokenizer the files were written "
                         "with (a directory with GPT-2's vocab.json + merges.txt, or a tokenizer.json).")
    if not train["steps_per_epoch"]:
        raise ValueError("dataset = 'token_files' samples random windows: set train.steps_per_epoch > 0.")
    tokenizer = token_files.load_tokenizer(config["tokenizer_path"])
    vocabulary_size = tokenizer.vocabulary_size
    stream = token_files.read_token_file(config["train_tokens"], vocabulary_size)
    held_out = token_files.read_token_file(config["validation_tokens"], vocabulary_size)
    length, count = config["sequence_length"], config["held_out_windows"]
    halves = {"validation": held_out[: len(held_out) // 2], "test": held_out[len(held_out) // 2 :]}
    windows = {split: token_files.windows_at(half, token_files.spaced_starts(len(half), length, count), length)
               for split, half in halves.items()}
    batches = token_files.RandomWindows(stream, length, train["batch_size"], train["steps_per_epoch"], train["seed"])
    corpus = TokenCorpus(
        splits={"train": np.asarray(stream[:BIGRAM_TRAIN_TOKENS], dtype="int32")},
        characters={}, names={"train": [config["train_tokens"]], "validation": [config["validation_tokens"]]},
        tokenizer=tokenizer)
    return LanguageModelData(batches, windows, corpus, train["batch_size"])


def build_language_model_data(recipe):
    from keras_zoo.data import language_corpus

    config, train = recipe["data"], recipe["train"]
    if config["dataset"] == "token_files":
        return token_file_data(config, train)
    if config["dataset"] == "pydoc":
        corpus = language_corpus.pydoc_corpus(config["vocabulary_size"], seed=train["seed"],
                                              tokenizer_path=config["tokenizer_path"] or None)
    else:
        corpus = language_corpus.tiny_shakespeare_corpus(config["data_dir"] or None)
    return corpus_data(corpus, config["sequence_length"], train["batch_size"], train["seed"])


def build_language_model(recipe, data):
    from keras_zoo import create_model

    return create_model(recipe["model"]["name"], **{
        "vocabulary_size": data.vocabulary_size, "seed": recipe["train"]["seed"], **model_overrides(recipe)})


def build_language_model_loss(recipe):
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def build_language_model_metrics(recipe):
    return []


def compile_language_model(recipe, model, data):
    """The [optimizer] section's AdamW, decaying only the matrices."""
    from keras_zoo.training.optimizer_builder import build_optimizer

    train = recipe["train"]
    steps = train["steps_per_epoch"] or data.steps_per_epoch
    optimizer = build_optimizer(recipe["optimizer"], train["batch_size"], train["epochs"], steps)
    optimizer.exclude_from_weight_decay(var_list=[v for v in model.trainable_variables if len(v.shape) < 2])
    model.compile(optimizer=optimizer, loss=build_language_model_loss(recipe))


def held_out_log_likelihood(model, inputs, targets, batch_size=32):
    """The summed natural-log probability the model gives every target
    token (float64), batch by batch."""
    total = 0.0
    for start in range(0, len(inputs), batch_size):
        logits = keras.ops.convert_to_numpy(model(inputs[start:start + batch_size], training=False))
        logits = logits.astype("float64")
        top = logits.max(-1, keepdims=True)
        log_norm = top[..., 0] + np.log(np.exp(logits - top).sum(-1))
        chosen = np.take_along_axis(logits, targets[start:start + batch_size][..., None], axis=-1)[..., 0]
        total += float((chosen - log_norm).sum())
    return total


def language_model_results(recipe, model, data):
    """Held-out loss, perplexity and bits per character on the test split,
    the bigram baseline's perplexity on the same target tokens, and how
    far below it the model is."""
    from keras_zoo.evaluation.bigram_baseline import bigram_perplexity

    inputs, targets = data.windows["test"]
    log_likelihood = held_out_log_likelihood(model, inputs, targets, recipe["evaluate"]["batch_size"])
    tokens = targets.size
    characters = len(data.tokenizer.decode(np.concatenate([inputs[:, :1].ravel()[:1], targets.ravel()])[1:]))
    loss = -log_likelihood / tokens
    baseline = bigram_perplexity(data.corpus.splits["train"], inputs, targets, data.vocabulary_size)
    return {
        "test_loss": loss,
        "test_perplexity": math.exp(loss),
        "test_bits_per_character": -log_likelihood / characters / math.log(2.0),
        "bigram_perplexity": baseline,
        "perplexity_below_bigram": 1.0 - math.exp(loss) / baseline,
        "test_tokens": int(tokens),
        "test_characters": int(characters),
    }


def language_model_callbacks(recipe, run_directory, data):
    from keras_zoo.callbacks.text_samples import TextSamples

    evaluation = recipe["evaluate"]
    return [TextSamples(
        os.path.join(run_directory, "samples.txt"), data.tokenizer, evaluation["prompt"],
        new_tokens=evaluation["sample_tokens"], every_epochs=evaluation["sample_every_epochs"],
        seed=recipe["train"]["seed"], temperature=evaluation["temperature"], top_k=evaluation["top_k"] or None)]


def language_model_headline(result):
    r = result.results
    return (f"held-out perplexity {r['test_perplexity']:.2f} on {r['test_tokens']} tokens, "
            f"{r['test_bits_per_character']:.3f} bits/char; add-one bigram {r['bigram_perplexity']:.2f} "
            f"({100 * r['perplexity_below_bigram']:.1f}% below it; best val_loss {result.best:.4f})")


TASK = register_task("language_modeling", Task(
    schema=SCHEMA,
    open_sections=("model",),
    build_data=build_language_model_data,
    build_model=build_language_model,
    build_loss=build_language_model_loss,
    build_metrics=build_language_model_metrics,
    monitor="val_loss",
    monitor_mode="min",
    compile_model=compile_language_model,
    callbacks=language_model_callbacks,
    after_fit=language_model_results,
    headline=language_model_headline,
))
