"""TensorBoard logs of the epoch metrics, written with TensorFlow's core
summary ops, so that neither the `tensorboard` package nor the TensorFlow
backend is needed to write them (`tensorboard --logdir RUN/logs` reads them).

Why not `keras.callbacks.TensorBoard`: it writes through `tf.summary.scalar`,
which needs the `tensorboard` package (TensorFlow no longer installs it), so
training would fail on a machine without it (tests/training/test_tensorboard_scalars.py).
"""

import os

import keras


class TensorBoardScalars(keras.callbacks.Callback):
    """Writes each epoch's `loss`, `accuracy`, ... under `log_dir/train` and
    the `val_*` ones under `log_dir/validation`, as TensorBoard scalars."""

    def __init__(self, log_dir):
        super().__init__()
        self.log_dir = log_dir
        self._writers = None

    def on_epoch_end(self, epoch, logs=None):
        import tensorflow as tf
        from tensorflow.core.framework import summary_pb2

        if self._writers is None:
            self._writers = {
                split: tf.summary.create_file_writer(os.path.join(self.log_dir, split))
                for split in ("train", "validation")
            }
        metadata = summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars")
        ).SerializeToString()
        for key, value in (logs or {}).items():
            split, name = ("validation", key[4:]) if key.startswith("val_") else ("train", key)
            with self._writers[split].as_default():
                tf.summary.write(f"epoch_{name}", tf.constant(float(value)), step=epoch, metadata=metadata)
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        for writer in (self._writers or {}).values():
            writer.close()
        self._writers = None
