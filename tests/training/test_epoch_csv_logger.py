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
