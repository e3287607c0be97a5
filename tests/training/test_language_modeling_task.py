"""The `language_modeling` task through `train_recipe`: a tiny GPT on the
pydoc corpus trains into a run directory, writes and prints a text sample,
and reports held-out loss, perplexity, bits per character and the bigram
baseline, computed as their definitions say."""

import math
import os

import keras
import numpy as np

from keras_zoo.evaluation.bigram_baseline import bigram_perplexity
from keras_zoo.recipes import load_recipe
from keras_zoo.training import train_recipe
from keras_zoo.training.epoch_csv_logger import read_metrics_csv
from keras_zoo.training.tasks.language_modeling import build_language_model_data
from keras_zoo.training.tasks.language_modeling import compile_language_model
from keras_zoo.training.tasks.language_modeling import held_out_log_likelihood

TINY = ["model.num_layers=1", "model.hidden_dim=16", "model.num_heads=2", "data.vocabulary_size=300",
        "data.sequence_length=32", "train.batch_size=16", "train.steps_per_epoch=4", "train.epochs=2",
        "optimizer.learning_rate=1e-2", "evaluate.sample_tokens=5", "evaluate.batch_size=64"]


def test_tiny_recipe_trains_samples_and_reports_held_out_figures(tmp_path, capsys):
    recipe = load_recipe("gpt_pydoc", TINY)
    result = train_recipe(recipe, runs_root=str(tmp_path), verbose=0)
    files = set(os.listdir(result.run_directory))
    assert {"best.keras", "last.keras", "metrics.csv", "samples.txt", "COMPLETED"} <= files
    rows = read_metrics_csv(os.path.join(result.run_directory, "metrics.csv"))
    assert rows[1]["val_loss"] < rows[0]["val_loss"]  # it learns
    with open(os.path.join(result.run_directory, "samples.txt"), encoding="utf-8") as file:
        written = file.read()
    assert written.startswith("=== epoch 2 ===\nThe \"with\" statement")
    assert written.split("\n", 1)[1].strip() in capsys.readouterr().out  # the sample is printed too

    # The figures, recomputed from their definitions on the best checkpoint.
    data = build_language_model_data(recipe)
    best = keras.saving.load_model(os.path.join(result.run_directory, "best.keras"), compile=False)
    inputs, targets = data.windows["test"]
    log_likelihood = held_out_log_likelihood(best, inputs, targets)
    figures = result.results
    assert figures["test_tokens"] == targets.size == len(inputs) * 32
    assert math.isclose(figures["test_loss"], -log_likelihood / targets.size, rel_tol=1e-6)
    assert math.isclose(figures["test_perplexity"], math.exp(figures["test_loss"]), rel_tol=1e-9)
    assert math.isclose(figures["test_bits_per_character"],
                        -log_likelihood / figures["test_characters"] / math.log(2), rel_tol=1e-6)
    assert figures["bigram_perplexity"] == bigram_perplexity(data.corpus.splits["train"], inputs, targets, 300)
    assert 0.9 * data.corpus.characters["test"] < figures["test_characters"] <= data.corpus.characters["test"]


def test_held_out_log_likelihood_is_the_log_softmax_at_the_targets():
    class Uniform(keras.Model):
        def call(self, x):
            return keras.ops.zeros(keras.ops.shape(x) + (7,))

    inputs = np.zeros((5, 3), "int32")
    targets = np.ones((5, 3), "int32")
    assert math.isclose(held_out_log_likelihood(Uniform(), inputs, targets, batch_size=2), 15 * math.log(1 / 7))


def test_weight_decay_skips_biases_and_norms(tmp_path):
    recipe = load_recipe("gpt_pydoc", TINY)
    data = build_language_model_data(recipe)
    from keras_zoo.training.tasks.language_modeling import build_language_model

    model = build_language_model(recipe, data)
    compile_language_model(recipe, model, data)
    optimizer = model.optimizer
    optimizer.build(model.trainable_variables)
    decayed = {v.path for v in model.trainable_variables if optimizer._use_weight_decay(v)}
    assert decayed == {v.path for v in model.trainable_variables if len(v.shape) == 2}
    assert any("token_embedding" in path for path in decayed)  # nanoGPT decays the embeddings too
