"""A recipe with `optimizer.ema = true`: validation, `last.keras` and
`best.keras` hold the EMA of the weights, not the raw weights the optimizer
steps, and an interrupted EMA run resumes its average instead of restarting it."""

import os

import keras
import numpy as np
import pytest

from keras_zoo.recipes import load_recipe
from keras_zoo.training import train_recipe
from keras_zoo.training.epoch_csv_logger import read_metrics_csv
from keras_zoo.training.tasks import get_task

EMA_TINY = [
    "model.depths=[1, 1, 1, 1]",
    "model.dims=[16, 32, 48, 64]",
    "train.batch_size=32",
    "train.steps_per_epoch=4",
    "train.epochs=2",
    "optimizer.learning_rate=0.004",
    "optimizer.warmup_epochs=0.5",
    "optimizer.ema=true",
    "optimizer.ema_momentum=0.5",  # a short average, so that EMA and raw weights differ clearly
    # A few steps: compiling them with XLA (TensorFlow) or torch.compile would cost more than
    # running them; un-jitted JAX compiles every op on its own, which costs more still.
    "train.jit_compile='true'" if keras.backend.backend() == "jax" else "train.jit_compile='false'",
]


def _values(variables):
    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


def _ema_optimizer(model):
    return getattr(model.optimizer, "inner_optimizer", model.optimizer)


class _RecordWeights(keras.callbacks.Callback):
    """Per epoch: the raw weights and the optimizer's EMA after the last
    training batch (before validation and the epoch-end callbacks swap them)."""

    def __init__(self):
        super().__init__()
        self.raw, self.ema = {}, {}

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        self.raw[self._epoch] = _values(self.model.trainable_variables)
        self.ema[self._epoch] = _values(_ema_optimizer(self.model)._model_variables_moving_average)


class _InterruptAfterFirstEpoch(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        raise KeyboardInterrupt


class _RecordStart(keras.callbacks.Callback):
    """The state a session starts from (after BackupAndRestore has loaded the backup)."""

    def on_epoch_begin(self, epoch, logs=None):
        if not hasattr(self, "epoch"):
            self.epoch = epoch
            self.raw = _values(self.model.trainable_variables)
            self.ema = _values(_ema_optimizer(self.model)._model_variables_moving_average)


# On TensorFlow, SwapEMAWeights swaps in place by arithmetic (a += b; b = a - b;
# a -= b), which rounds: each swap may move a weight by a float32 ulp or two.
_SWAP_ROUNDING = 1e-6  # relative, about 8 float32 ulps


def _assert_same(actual, expected):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(a, e, rtol=_SWAP_ROUNDING, atol=1e-9)


def _differs(actual, expected):
    """Far more than rounding apart: EMA and raw weights are told apart."""
    return max(float(np.max(np.abs(a - e))) for a, e in zip(actual, expected)) > 1e-4


def _load(path):
    import keras_zoo.models  # noqa: F401  (registers the model classes)

    return keras.saving.load_model(path, compile=False)


def test_checkpoints_validation_and_resume_use_the_ema_weights(tmp_path):
    recipe = load_recipe("digits_convnext", EMA_TINY)
    first = _RecordWeights()
    with pytest.raises(KeyboardInterrupt):
        train_recipe(recipe, runs_root=str(tmp_path), verbose=0, extra_callbacks=[first, _InterruptAfterFirstEpoch()])
    start, second = _RecordStart(), _RecordWeights()
    result = train_recipe(recipe, runs_root=str(tmp_path), verbose=0, extra_callbacks=[start, second])
    raw, ema = {**first.raw, **second.raw}, {**first.ema, **second.ema}
    assert result.resumed and start.epoch == 1 and sorted(ema) == [0, 1]
    for epoch in (0, 1):
        assert _differs(ema[epoch], raw[epoch])  # the test can tell them apart

    # Resume: the raw weights carry on training and the average carries on
    # averaging (a restart would reset it to the first updated weights).
    _assert_same(start.raw, raw[0])
    _assert_same(start.ema, ema[0])

    # Checkpoints hold the EMA weights.
    last = _load(os.path.join(result.run_directory, "last.keras"))
    _assert_same(_values(last.trainable_variables), ema[1])
    rows = read_metrics_csv(os.path.join(result.run_directory, "metrics.csv"))
    best_epoch = int(np.argmax([row["val_accuracy"] for row in rows]))  # the first best, as ModelCheckpoint
    _assert_same(_values(_load(os.path.join(result.run_directory, "best.keras")).trainable_variables), ema[best_epoch])

    # The logged validation loss is the EMA weights' loss, not the raw weights'.
    task = get_task("image_classification")
    data = task.build_data(recipe)
    last.compile(loss=task.build_loss(recipe), metrics=task.build_metrics(recipe))
    ema_loss = last.evaluate(data.validation, return_dict=True, verbose=0)["loss"]
    np.testing.assert_allclose(rows[1]["val_loss"], ema_loss, rtol=1e-5)
    for variable, value in zip(last.trainable_variables, raw[1]):
        variable.assign(value)
    raw_loss = last.evaluate(data.validation, return_dict=True, verbose=0)["loss"]
    assert abs(raw_loss - ema_loss) > 1e-4
