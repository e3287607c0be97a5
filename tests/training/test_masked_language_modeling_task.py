"""The `masked_language_modeling` task: encoder windows, batches masked
anew when read (held-out ones fixed), and a tiny BERT trained through
`train_recipe` whose held-out accuracy and unigram baseline are what their
definitions say."""

import math
import os

import keras
import numpy as np

from keras_zoo.data.masked_lm_batches import MaskedBatches
from keras_zoo.data.masked_lm_batches import encoder_windows
from keras_zoo.layers import MaskedLMMaskGenerator
from keras_zoo.recipes import load_recipe
from keras_zoo.training import evaluate_run
from keras_zoo.training import train_recipe
from keras_zoo.training.epoch_csv_logger import read_metrics_csv
from keras_zoo.training.run_tokenizer import with_run_tokenizer
from keras_zoo.training.tasks.masked_language_modeling import build_masked_lm_data

TINY = ["model.num_layers=1", "model.hidden_dim=16", "model.num_heads=2", "data.vocabulary_size=400",
        "data.sequence_length=32", "train.batch_size=16", "train.steps_per_epoch=6", "train.epochs=2",
        "optimizer.learning_rate=1e-2", "evaluate.batch_size=64"]


class Specials:
    pad_token_id, unknown_token_id, cls_token_id, sep_token_id, mask_token_id = 0, 1, 2, 3, 4


def test_encoder_windows_frame_every_piece_once_and_pad_the_last():
    pieces = np.arange(10, 23)  # 13 pieces, 4 per window of 6
    windows = encoder_windows(pieces, 6, Specials)
    assert windows.shape == (4, 6) and windows.dtype == np.int32
    assert (windows[:, 0] == 2).all()
    np.testing.assert_array_equal(windows[:3, 1:5].ravel(), pieces[:12])
    np.testing.assert_array_equal(windows[3], [2, 22, 3, 0, 0, 0])
    assert (windows[:3, 5] == 3).all()


def test_training_batches_mask_anew_and_held_out_ones_keep_their_mask():
    rows = np.random.default_rng(0).integers(5, 50, (8, 20)).astype("int32")
    rows[:, 0], rows[:, -1], rows[0, 10:] = 2, 3, 0  # framed, one padded row

    def generator(seed):
        return MaskedLMMaskGenerator(50, 4, special_token_ids=(0, 1, 2, 3, 4), selection_rate=0.5, seed=seed)

    training = MaskedBatches(rows, 8, generator(0), redraw=True)
    (first, labels, weights), (second, _, again) = training[0], training[0]
    np.testing.assert_array_equal(labels, rows)  # the targets are the original ids
    assert not np.array_equal(weights, again)  # a new selection each read
    for inputs, selected in ((first, weights), (second, again)):
        assert selected.dtype == np.float32 and set(np.unique(selected)) <= {0.0, 1.0}
        np.testing.assert_array_equal(inputs["padding_mask"], rows != 0)
        assert not selected[rows < 5].any()  # special and padding tokens never count
        np.testing.assert_array_equal(inputs["token_ids"][selected == 0], rows[selected == 0])
        assert not inputs["segment_ids"].any()
    held_out = MaskedBatches(rows, 8, generator(1), redraw=False)
    np.testing.assert_array_equal(held_out[0][2], held_out[0][2])
    np.testing.assert_array_equal(held_out[0][0]["token_ids"], held_out[0][0]["token_ids"])


def test_tiny_recipe_trains_and_reports_accuracy_beside_the_unigram_baseline(tmp_path):
    recipe = load_recipe("bert_pydoc_mlm", TINY)
    result = train_recipe(recipe, runs_root=str(tmp_path), verbose=0)
    files = {"best.keras", "last.keras", "metrics.csv", "tokenizer.json", "COMPLETED"}
    assert files <= set(os.listdir(result.run_directory))
    rows = read_metrics_csv(os.path.join(result.run_directory, "metrics.csv"))
    assert rows[1]["val_loss"] < rows[0]["val_loss"]  # it learns
    assert "val_masked_accuracy" in rows[0]

    # The figures, recomputed from their definitions on the best checkpoint.
    data = build_masked_lm_data(with_run_tokenizer(recipe, result.run_directory))  # the pieces it trained on
    best = keras.saving.load_model(os.path.join(result.run_directory, "best.keras"), compile=False)
    hits = count = most_frequent_hits = 0
    counts = data.unigram_counts.copy()
    counts[:5] = 0
    for index in range(len(data.test)):
        inputs, labels, selected = data.test[index]
        predicted = keras.ops.convert_to_numpy(keras.ops.argmax(best(inputs), axis=-1))
        chosen = selected > 0
        hits += int((predicted == labels)[chosen].sum())
        most_frequent_hits += int((labels == counts.argmax())[chosen].sum())
        count += int(chosen.sum())
    figures = result.results
    real_tokens = sum(int(data.test[i][0]["padding_mask"].sum()) - 2 * len(data.test[i][1])
                      for i in range(len(data.test)))
    assert figures["test_masked_tokens"] == count and 0.1 < count / real_tokens < 0.2  # ~15% selected
    assert math.isclose(figures["test_masked_accuracy"], hits / count, rel_tol=1e-9)
    assert math.isclose(figures["unigram_accuracy"], most_frequent_hits / count, rel_tol=1e-9)
    assert math.isclose(figures["points_above_unigram"],
                        100 * (figures["test_masked_accuracy"] - figures["unigram_accuracy"]), rel_tol=1e-9)
    assert math.isclose(figures["test_masked_perplexity"], math.exp(figures["test_masked_loss"]), rel_tol=1e-9)

    # `keras-zoo evaluate` counts the masked positions only, as training did.
    evaluated = evaluate_run(result.run_directory, verbose=0)
    assert math.isclose(evaluated["masked_accuracy"], result.best, rel_tol=1e-5)


def test_weight_decay_skips_biases_and_norms_and_the_schedule_is_linear():
    from keras_zoo.optimizers import WarmupLinearSchedule
    from keras_zoo.training.tasks.masked_language_modeling import build_masked_lm
    from keras_zoo.training.tasks.masked_language_modeling import compile_masked_lm

    recipe = load_recipe("bert_pydoc_mlm", TINY + ["optimizer.warmup_epochs=1"])
    data = build_masked_lm_data(recipe)
    model = build_masked_lm(recipe, data)
    compile_masked_lm(recipe, model, data)
    optimizer = model.optimizer
    optimizer.build(model.trainable_variables)
    decayed = {v.path for v in model.trainable_variables if optimizer._use_weight_decay(v)}
    assert decayed == {v.path for v in model.trainable_variables if len(v.shape) == 2}
    schedule = optimizer._learning_rate
    assert isinstance(schedule, WarmupLinearSchedule) and (schedule.total_steps, schedule.warmup_steps) == (12, 6)
    rates = [float(schedule(step)) for step in (0, 3, 6, 9, 12, 20)]
    np.testing.assert_allclose(rates, [0, 5e-3, 1e-2, 5e-3, 0, 0], atol=1e-9)
