"""A model trained on JAX or PyTorch is written by a TensorFlow-backend
subprocess from its .keras file and verified here, against the model on its
own backend."""

import keras
import numpy as np
import pytest

from export_fixtures import gan_generator
from keras_zoo.export import export_model

pytestmark = pytest.mark.skipif(
    keras.backend.backend() == "tensorflow",
    reason="the TensorFlow backend writes in process (test_tensorflow_route.py)",
)


def test_generator_tflite_through_a_tensorflow_subprocess(tmp_path):
    generator = gan_generator()
    report = export_model(generator, str(tmp_path / "generator.tflite"), format="tflite", verbose=False)
    assert report.route == f"{keras.backend.backend()} -> tensorflow backend subprocess"
    assert report.output_scale > 0.1
    # The export (TensorFlow kernels) matches the model on its own backend.
    assert report.max_abs_difference <= 1e-4 * max(1.0, report.output_scale)


def test_the_subprocess_sees_no_gpu(tmp_path, monkeypatch):
    """The caller may hold the GPU (JAX preallocates 75% of its memory); the
    export is CPU work, so the TensorFlow process must not try to claim it."""
    import subprocess

    from keras_zoo.export import tensorflow_subprocess

    seen = {}

    def run(command, env, **kwargs):
        seen.update(env)
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    monkeypatch.setattr(tensorflow_subprocess.subprocess, "run", run)
    tensorflow_subprocess.write_in_tensorflow_process(tmp_path / "m.keras", tmp_path / "m.tflite", "tflite")
    assert seen["CUDA_VISIBLE_DEVICES"] == "" and seen["KERAS_BACKEND"] == "tensorflow"
