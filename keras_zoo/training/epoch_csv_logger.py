"""A per-epoch CSV of metrics that survives interruption: each row is
flushed to disk at epoch end, and on resume the rows of epochs that will be
trained again are dropped, so the file never holds a duplicate or a gap.

Why not `keras.callbacks.CSVLogger(append=True)`: on resume it writes the
rows of re-run epochs a second time and cannot restore a checkpoint's best
value (tests/training/test_epoch_csv_logger.py shows both files)."""

import csv
import os

import keras


def read_metrics_csv(path):
    """The rows of a metrics CSV as dicts of floats (`epoch` an int)."""
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return [
            {key: int(value) if key == "epoch" else float(value) for key, value in row.items()}
            for row in csv.DictReader(f)
        ]


class EpochCSVLogger(keras.callbacks.Callback):
    """Appends `epoch` (0-based) and the epoch's logs to `path`.

    Args:
        path: the CSV file.
        best_checkpoint: optional `keras.callbacks.ModelCheckpoint` with
            `save_best_only` and `mode` "min" or "max"; on resume its best
            value is restored from the kept rows, so a worse epoch cannot
            overwrite the best model.
    """

    def __init__(self, path, best_checkpoint=None):
        super().__init__()
        self.path = path
        self.best_checkpoint = best_checkpoint
        self._started = False

    def on_epoch_begin(self, epoch, logs=None):
        if self._started:
            return
        self._started = True  # `epoch` is now the first epoch of this session
        rows = [row for row in read_metrics_csv(self.path) if row["epoch"] < epoch]
        if os.path.exists(self.path):
            self._write(rows, mode="w")
        checkpoint = self.best_checkpoint
        if checkpoint is not None and rows and checkpoint.monitor in rows[0]:
            values = [row[checkpoint.monitor] for row in rows]
            checkpoint.best = min(values) if checkpoint.mode == "min" else max(values)

    def on_epoch_end(self, epoch, logs=None):
        row = {"epoch": epoch, **{key: float(value) for key, value in (logs or {}).items()}}
        self._write([row], mode="a")

    def _write(self, rows, mode):
        new_file = mode == "w" or not os.path.exists(self.path) or os.path.getsize(self.path) == 0
        header = list(rows[0]) if rows else _read_header(self.path)
        with open(self.path, mode, newline="") as f:
            writer = csv.DictWriter(f, fieldnames=header)
            if new_file and header:
                writer.writeheader()
            writer.writerows(rows)
            f.flush()
            os.fsync(f.fileno())


def _read_header(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return next(csv.reader(f), [])
