import os

import keras
import numpy as np
import pytest

from keras_zoo.training import StopOnNaN
from keras_zoo.training import TrainingDivergedError


def test_stops_at_the_first_nan_batch_without_checkpointing_it(tmp_path):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((8, 2), "float32")
    x[5] = np.nan  # batch 3 of epoch 1 (batch size 2)
    checkpoint = tmp_path / "last.keras"
    callbacks = [StopOnNaN(checkpoint_hint="Last good: here."), keras.callbacks.ModelCheckpoint(str(checkpoint))]
    with pytest.raises(TrainingDivergedError, match=r"became nan at epoch 1, batch 3.*Last good: here"):
        model.fit(x, np.ones((8, 1), "float32"), batch_size=2, epochs=2, shuffle=False, callbacks=callbacks, verbose=0)
    assert not os.path.exists(checkpoint)


def test_finite_training_is_not_stopped():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=2, callbacks=[StopOnNaN()], verbose=0)
    assert len(history.history["loss"]) == 2


def test_a_gans_network_losses_are_watched_too():
    guard = StopOnNaN()
    guard.on_train_batch_end(0, {"d_loss": 1.0, "g_loss": 2.0, "wasserstein": float("nan")})  # not a loss
    with pytest.raises(TrainingDivergedError, match=r"training d loss became inf at epoch 1, batch 4"):
        guard.on_train_batch_end(3, {"d_loss": float("inf"), "g_loss": 2.0})
