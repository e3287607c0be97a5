"""Stops training at the first non-finite loss, before the epoch ends, so
that no checkpoint of the diverged weights is ever written."""

import math

import keras


class TrainingDivergedError(RuntimeError):
    """The loss became NaN or infinite."""


class StopOnNaN(keras.callbacks.Callback):
    """Raises `TrainingDivergedError` at the first batch whose loss is not
    finite. Raising (rather than `stop_training`, as `TerminateOnNaN` does)
    skips `on_epoch_end`, so checkpoints keep the last good epoch.

    Args:
        checkpoint_hint: text naming where the last good checkpoint is.
    """

    def __init__(self, checkpoint_hint=""):
        super().__init__()
        self.checkpoint_hint = checkpoint_hint
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        # "loss", and each network's loss of a GAN ("d_loss", "g_loss").
        for name, loss in (logs or {}).items():
            if (name == "loss" or name.endswith("_loss")) and not math.isfinite(float(loss)):
                self._stop(name, loss, batch)

    def _stop(self, name, loss, batch):
        raise TrainingDivergedError(
            f"The training {name.replace('_', ' ')} became {float(loss)} at epoch {self._epoch + 1}, "
            f"batch {batch + 1}; training stopped. {self.checkpoint_hint} Try a lower "
            "optimizer.learning_rate or a longer warmup."
        )
