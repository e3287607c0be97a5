"""Why the trainer writes TensorBoard scalars itself: Keras' `TensorBoard`
callback needs the `tensorboard` package for `tf.summary.scalar` (tensorflow
no longer brings it), ours only TensorFlow's core summary ops; both write
the same `train/` and `validation/` layout."""

import os
import sys

import keras
import numpy as np
import pytest

from keras_zoo.training.tensorboard_scalars import TensorBoardScalars


def _fit(callback):
    x = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(x, x[:, :1], validation_data=(x, x[:, :1]), epochs=2, verbose=0, callbacks=[callback])


def _scalars(directory):
    """{tag: [(step, value)]} read back from the event files with TensorFlow."""
    import tensorflow as tf
    from tensorflow.core.util import event_pb2

    found = {}
    for name in sorted(os.listdir(directory)):
        for record in tf.data.TFRecordDataset(os.path.join(directory, name)):
            event = event_pb2.Event.FromString(record.numpy())
            for value in event.summary.value:
                number = float(tf.make_ndarray(value.tensor)) if value.HasField("tensor") else value.simple_value
                found.setdefault(value.tag, []).append((event.step, number))
    return found


def test_without_the_tensorboard_package_keras_fails_and_ours_writes(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboard", None)  # as on a machine without it
    with pytest.raises(Exception, match="TensorBoard is not installed"):
        _fit(keras.callbacks.TensorBoard(str(tmp_path / "keras"), write_graph=False))
    _fit(TensorBoardScalars(str(tmp_path / "ours")))
    train, validation = (_scalars(str(tmp_path / "ours" / split)) for split in ("train", "validation"))
    assert [step for step, _ in train["epoch_loss"]] == [0, 1]
    assert [step for step, _ in validation["epoch_loss"]] == [0, 1]
    assert all(np.isfinite(value) and value > 0 for _, value in train["epoch_loss"] + validation["epoch_loss"])
