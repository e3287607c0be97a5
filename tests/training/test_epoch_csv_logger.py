import keras

from keras_zoo.training.epoch_csv_logger import EpochCSVLogger
from keras_zoo.training.epoch_csv_logger import read_metrics_csv


def test_resume_drops_rows_of_epochs_trained_again(tmp_path):
    path = str(tmp_path / "metrics.csv")
    first = EpochCSVLogger(path)
    for epoch in range(3):
        first.on_epoch_begin(epoch)
        first.on_epoch_end(epoch, {"loss": 1.0 / (epoch + 1), "val_accuracy": 0.1 * epoch})
    # Killed after writing epoch 2's row but before its backup: epoch 2 runs again.
    best = keras.callbacks.ModelCheckpoint(str(tmp_path / "best.keras"), monitor="val_accuracy", mode="max", save_best_only=True)
    second = EpochCSVLogger(path, best_checkpoint=best)
    second.on_epoch_begin(2)
    assert [row["epoch"] for row in read_metrics_csv(path)] == [0, 1]
    assert best.best == 0.1  # the best of the kept epochs
    second.on_epoch_end(2, {"loss": 0.3, "val_accuracy": 0.5})
    rows = read_metrics_csv(path)
    assert [row["epoch"] for row in rows] == [0, 1, 2]
    assert rows[2] == {"epoch": 2, "loss": 0.3, "val_accuracy": 0.5}


def test_keras_csv_logger_repeats_the_rows_of_epochs_trained_again_ours_does_not(tmp_path):
    """Why the trainer keeps its own logger: resuming after a kill re-runs the
    epochs after the last backup, and `keras.callbacks.CSVLogger(append=True)`
    writes their rows a second time (nor does it restore the best value)."""
    import csv

    import numpy as np

    x = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    epochs = {}
    for name, make in (("keras", lambda path: keras.callbacks.CSVLogger(path, append=True)),
                       ("ours", EpochCSVLogger)):
        path = str(tmp_path / f"{name}.csv")
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile("sgd", "mse")
        model.fit(x, y, epochs=3, verbose=0, callbacks=[make(path)])
        # The process died after epoch 2's row, before its backup: resume at epoch 1.
        model.fit(x, y, initial_epoch=1, epochs=3, verbose=0, callbacks=[make(path)])
        with open(path, newline="") as f:
            epochs[name] = [int(row["epoch"]) for row in csv.DictReader(f)]
    assert epochs["keras"] == [0, 1, 2, 1, 2]
    assert epochs["ours"] == [0, 1, 2]
