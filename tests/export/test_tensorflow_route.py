"""The TensorFlow writer per family and format, verified by each format's own
runtime. The writer is the same whatever backend trained the model (JAX and
PyTorch models reach it through a subprocess, tested in
test_cross_backend_route.py), so this heavy part runs once, in the TensorFlow
process."""

import os

import keras
import numpy as np
import pytest

from export_fixtures import any_size_convnext, gan_generator, output_scale, small_transformer
from keras_zoo.export import ExportVerificationError, export_model
from keras_zoo.export.verification import verify_export

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="the TensorFlow writer is backend-independent: tested once, under the TensorFlow backend",
)


@pytest.mark.parametrize("format, suffix", [("tflite", ".tflite"), ("onnx", ".onnx")])
def test_convnext_exports_with_dynamic_batch_and_any_image_size(tmp_path, format, suffix):
    path = str(tmp_path / f"convnext{suffix}")
    report = export_model(any_size_convnext(), path, format=format, verbose=False)
    # Two batches: batch 2 at 32x32, batch 1 at 64x64, through one artifact.
    assert report.sample_shapes == [[[2, 32, 32, 3]], [[1, 64, 64, 3]]]
    assert report.output_scale > 0.1  # the 1e-4 bound is meaningful
    assert report.max_abs_difference <= 1e-4 * max(1.0, report.output_scale)
    assert report.route == "tensorflow backend, in process"
    if format == "onnx":  # exact GELU is Erfc in TensorFlow; onnxruntime has no Erfc kernel
        import onnx

        op_types = {node.op_type for node in onnx.load(path).graph.node}
        assert "Erf" in op_types and "Erfc" not in op_types


def test_transformer_tflite_takes_int32_token_ids_of_any_length(tmp_path):
    from ai_edge_litert.interpreter import Interpreter

    path = str(tmp_path / "transformer.tflite")
    report = export_model(small_transformer(), path, format="tflite", verbose=False)
    assert report.sample_shapes == [[[2, 7], [2, 7]], [[1, 12], [1, 12]]]
    assert report.output_scale > 0.5
    assert report.max_abs_difference <= 1e-4 * max(1.0, report.output_scale)
    inputs = Interpreter(model_path=path).get_input_details()
    assert {detail["dtype"] for detail in inputs} == {np.int32}
    assert all(list(detail["shape_signature"]) == [-1, -1] for detail in inputs)


def test_transformer_saved_model_with_greedy_generation(tmp_path):
    import tensorflow as tf

    model = small_transformer()
    generation = {"max_length": 4, "start_token_id": 1, "end_token_id": 2}
    path = str(tmp_path / "transformer")
    report = export_model(model, path, format="saved_model", generation=generation, verbose=False)
    assert report.generation_matches
    assert report.max_abs_difference <= 1e-4 * max(1.0, report.output_scale)
    loaded = tf.saved_model.load(path)  # kept alive: its variables die with it
    ids = loaded.generate(np.full((3, 5), 7, "int32")).numpy()
    assert ids.shape == (3, 4) and (ids[:, 0] == 1).all()  # another batch and length


def test_gan_generator_tflite_from_the_cli_then_quantized(tmp_path, capsys):
    from keras_zoo.cli import main

    generator = gan_generator()
    assert output_scale(generator, np.ones((2, 16), "float32")) > 0.1
    run = tmp_path / "gan_digits-20260101-000000"
    run.mkdir()
    generator.save(str(run / "generator.keras"))
    assert main(["export", str(run), "--format", "tflite"]) == 0
    float_path = run / "export" / "generator.tflite"
    assert float_path.is_file()
    assert "max |difference|" in capsys.readouterr().out

    # The verifier rejects an artifact of another model (same architecture, other weights).
    samples = [np.random.default_rng(0).normal(size=(2, 16)).astype("float32")]
    with pytest.raises(ExportVerificationError, match="above the tolerance"):
        verify_export(gan_generator(), str(float_path), "tflite", samples)

    path = str(tmp_path / "generator_int8.tflite")
    report = export_model(generator, path, format="tflite", quantize="dynamic_int8", verbose=False)
    assert report.max_abs_difference <= 1e-1 * report.output_scale
    assert os.path.getsize(path) < 0.5 * os.path.getsize(float_path)  # int8 weights
    with pytest.raises(ExportVerificationError, match="above the tolerance"):
        verify_export(gan_generator(), path, "tflite", samples, quantize="dynamic_int8")


def test_gan_model_exports_its_generator_as_saved_model(tmp_path):
    import keras_zoo

    gan = keras_zoo.create_model("wgan_gp", image_shape=(8, 8, 1), latent_dim=16, base_filters=8)
    report = export_model(gan, str(tmp_path / "generator"), format="saved_model", verbose=False)
    assert report.sample_shapes == [[[2, 16]], [[1, 16]]]
    assert report.max_abs_difference <= 1e-4
