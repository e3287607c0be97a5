"""A model trained on JAX or PyTorch is written by a TensorFlow-backend
subprocess from its .keras file; the artifact is compared here with the model
on its own backend (the JAX and torch processes of the suite, see
tests/expected_skips.py)."""

import keras

from export_fixtures import (
    FLOAT32_TOLERANCE, any_size_vit, difference_from_keras, gan_generator, image_batches, latent_batches,
    verified_patch_grids,
)
from keras_zoo.export import export_model


def test_generator_tflite_through_a_tensorflow_subprocess(tmp_path):
    generator = gan_generator()
    path = tmp_path / "generator.tflite"
    report = export_model(generator, str(path), format="tflite", verbose=False)
    assert report.route == f"{keras.backend.backend()} -> tensorflow backend subprocess"
    # The export (TensorFlow kernels, run by LiteRT here) matches the model on its own backend.
    difference, scale = difference_from_keras(generator, path, "tflite", latent_batches())
    assert scale > 0.1
    assert difference <= FLOAT32_TOLERANCE * max(1.0, scale)


def test_any_size_vit_onnx_through_a_tensorflow_subprocess(tmp_path):
    model = any_size_vit()
    path = tmp_path / "vit.onnx"
    report = export_model(model, str(path), format="onnx", verbose=False)
    assert report.route == f"{keras.backend.backend()} -> tensorflow backend subprocess"
    # The table resampled in TensorFlow's graph matches this backend's resampling: at the verifier's
    # two grids, neither the table's, and at a non-square one (one batch: on JAX each shape compiles).
    grids = verified_patch_grids(model, report)
    assert len(set(grids)) == 2 and model.backbone.position_grid not in grids, grids
    difference, scale = difference_from_keras(model, path, "onnx", image_batches()[:1])
    assert scale > 0.5
    assert difference <= FLOAT32_TOLERANCE * max(1.0, scale)


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
