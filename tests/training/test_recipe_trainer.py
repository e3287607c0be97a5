"""Short real training runs of a tiny recipe: accuracy above chance, the run
directory's files, resume after an interruption; every task's
`train.jit_compile`."""

import json
import os

import keras
import numpy as np
import pytest

from keras_zoo.recipes import load_recipe
from keras_zoo.training import train_recipe
from keras_zoo.training.recipe_trainer import apply_jit_compile
from keras_zoo.training.epoch_csv_logger import read_metrics_csv
from keras_zoo.training.run_directory import find_or_create_run_directory

TINY = [
    "model.depths=[1, 1, 1, 1]",
    "model.dims=[16, 32, 48, 64]",
    "train.batch_size=32",
    "train.steps_per_epoch=12",
    "optimizer.learning_rate=0.004",
    "optimizer.warmup_epochs=0.5",
]


class _Interrupt(keras.callbacks.Callback):
    """Simulates a kill right after epoch `after` has been fully saved."""

    def __init__(self, after):
        super().__init__()
        self.after = after

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.after:
            raise KeyboardInterrupt


def test_short_run_learns_and_writes_its_run_directory(tmp_path):
    recipe = load_recipe("digits_convnext", TINY + ["train.epochs=2"])
    result = train_recipe(recipe, runs_root=str(tmp_path), verbose=0)
    assert result.best > 0.3  # chance is 0.1
    files = set(os.listdir(result.run_directory))
    assert {"recipe.json", "best.keras", "last.keras", "metrics.csv", "training_curves.png", "logs", "COMPLETED"} <= files
    assert "backup" not in files  # the resume state goes once the run is complete
    assert os.listdir(os.path.join(result.run_directory, "logs", "validation"))  # TensorBoard events
    with open(os.path.join(result.run_directory, "recipe.json")) as f:
        assert json.load(f) == recipe
    with open(os.path.join(result.run_directory, "COMPLETED")) as f:
        completed = json.load(f)
    backend = keras.backend.backend()
    if backend == "torch":  # "auto": eager, as measured on the CPU (keras_zoo.backend.fast_paths)
        assert completed["execution"].startswith("torch: eager (jit_compile=auto: torch.compile is not measured "
                                                 "faster for convnext on cpu")
    else:
        assert completed["execution"].startswith(f"{backend}: jit_compile=")  # Keras' own "auto"
        assert completed["execution"].endswith("(requested auto)")
    assert completed["torch_compile_fallbacks"] == {}


@pytest.mark.parametrize("name", ["digits_convnext", "transformer_number_translation", "gan_digits_wgan_gp"])
@pytest.mark.parametrize("value, expected", [("true", True), ("false", False)])
def test_every_task_takes_train_jit_compile(name, value, expected):
    recipe = load_recipe(name, [f"train.jit_compile={value}"])
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(loss="mse")  # as a task compiles it: Keras' "auto"
    line = apply_jit_compile(recipe, model)
    assert model.jit_compile is expected
    assert f"jit_compile={expected}" in line and line.startswith(keras.backend.backend())


def test_interrupted_run_resumes_from_the_last_completed_epoch(tmp_path):
    recipe = load_recipe("digits_convnext", TINY + ["train.epochs=3"])
    with pytest.raises(KeyboardInterrupt):
        train_recipe(recipe, runs_root=str(tmp_path), verbose=0, extra_callbacks=[_Interrupt(after=1)])
    (run_directory,) = [os.path.join(tmp_path, d) for d in os.listdir(tmp_path)]
    assert not os.path.exists(os.path.join(run_directory, "COMPLETED"))
    before = read_metrics_csv(os.path.join(run_directory, "metrics.csv"))
    assert [row["epoch"] for row in before] == [0, 1]

    result = train_recipe(load_recipe("digits_convnext", TINY + ["train.epochs=3"]), runs_root=str(tmp_path), verbose=0)
    assert result.resumed and result.run_directory == run_directory
    assert len(result.history["loss"]) == 1  # only epoch 3 was trained again
    rows = read_metrics_csv(os.path.join(run_directory, "metrics.csv"))
    assert [row["epoch"] for row in rows] == [0, 1, 2]
    assert rows[:2] == before  # nothing lost, nothing duplicated

    # The same command once more starts a new run: the old one is complete.
    assert os.path.exists(os.path.join(run_directory, "COMPLETED"))
    new_directory, resumed = find_or_create_run_directory(str(tmp_path), recipe)
    assert new_directory != run_directory and not resumed


class _PoisonWeights(keras.callbacks.Callback):
    """Records the weights at the end of epoch 1, then sets one kernel to
    NaN in the middle of epoch 2: its loss becomes NaN there."""

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0:
            self.good_weights = [keras.ops.convert_to_numpy(w).copy() for w in self.model.weights]

    def on_train_batch_begin(self, batch, logs=None):
        if hasattr(self, "good_weights") and batch == 2:
            kernel = next(w for w in self.model.trainable_weights if w.path.endswith("kernel"))
            kernel.assign(keras.ops.full(kernel.shape, float("nan")))


def test_a_nan_loss_stops_the_run_and_keeps_the_last_good_checkpoints(tmp_path):
    from keras_zoo.training import TrainingDivergedError

    # Jitted on JAX, as the EMA test explains (un-jitted JAX compiles op by op).
    jit = "train.jit_compile='true'" if keras.backend.backend() == "jax" else "train.jit_compile='false'"
    recipe = load_recipe("digits_convnext", TINY + ["train.epochs=3", jit])
    poison = _PoisonWeights()
    with pytest.raises(TrainingDivergedError, match=r"became nan at epoch 2, batch 3.*last\.keras"):
        train_recipe(recipe, runs_root=str(tmp_path), verbose=0, extra_callbacks=[poison])
    (run_directory,) = [os.path.join(tmp_path, d) for d in os.listdir(tmp_path)]
    assert not os.path.exists(os.path.join(run_directory, "COMPLETED"))
    assert [row["epoch"] for row in read_metrics_csv(os.path.join(run_directory, "metrics.csv"))] == [0]
    for name in ("best.keras", "last.keras"):  # both hold epoch 1's weights, intact and finite
        saved = keras.saving.load_model(os.path.join(run_directory, name), compile=False)
        assert len(saved.weights) == len(poison.good_weights)
        for ours, good in zip(saved.weights, poison.good_weights):
            np.testing.assert_array_equal(keras.ops.convert_to_numpy(ours), good)
            assert np.all(np.isfinite(good))
