"""The TensorFlow writer per family and format. Each test runs the artifact
with its format's own runtime on inputs of its own choosing and compares it
with the Keras model there, so that it would fail even if the verifier passed
everything. The writer is the same whatever backend trained the model (JAX and
PyTorch models reach it through a subprocess, tested in
test_cross_backend_route.py), so this heavy part runs once, in the TensorFlow
process."""

import os

import numpy as np
import pytest

from export_fixtures import (
    FLOAT32_TOLERANCE, any_size_convnext, keras_outputs, any_size_vit, difference_from_keras, gan_generator, image_batches,
    latent_batches, scale_kernels, small_gpt, small_transformer, token_batches, verified_patch_grids,
)
from keras_zoo.export import ExportVerificationError, export_model, verification
from keras_zoo.export.verification import verify_export

# Quantized TFLite, relative to max|y|. float16 rounds each weight to 11 significant
# bits (relative error <= 2**-11); the generator's four layers add a few of those
# (measured 1.0 * 2**-11). dynamic int8 rounds weights and activations to ~1/127 of
# their range (~2**-7 each, measured 2.1 * 2**-7 in all). A float16 file that holds
# int8 weights (33 * 2**-11) fails the float16 bound; one of another model (~1) both.
FLOAT16_TOLERANCE = 4 * 2**-11
DYNAMIC_INT8_TOLERANCE = 8 * 2**-7


@pytest.mark.parametrize("format, suffix", [("tflite", ".tflite"), ("onnx", ".onnx")])
def test_convnext_exports_with_dynamic_batch_and_any_image_size(tmp_path, format, suffix):
    model = any_size_convnext()
    path = str(tmp_path / f"convnext{suffix}")
    report = export_model(model, path, format=format, verbose=False)
    assert report.route == "tensorflow backend, in process"
    # Batch 3 at 64x96 and batch 1 at 96x32 through one artifact.
    difference, scale = difference_from_keras(model, path, format, image_batches())
    assert scale > 0.1  # the 1e-4 bound is meaningful
    assert difference <= FLOAT32_TOLERANCE * max(1.0, scale)
    if format == "onnx":  # exact GELU is Erfc in TensorFlow; onnxruntime has no Erfc kernel
        import onnx

        op_types = {node.op_type for node in onnx.load(path).graph.node}
        assert "Erf" in op_types and "Erfc" not in op_types


@pytest.mark.parametrize("format, suffix", [("saved_model", ""), ("tflite", ".tflite"), ("onnx", ".onnx")])
def test_vit_exports_with_its_position_embedding_resampled_to_any_image_size(tmp_path, format, suffix):
    model = any_size_vit()
    path = str(tmp_path / f"vit{suffix}")
    report = export_model(model, path, format=format, verbose=False)
    assert report.route == "tensorflow backend, in process"
    # The verifier ran two image sizes, neither on the table's grid: the artifact resampled it twice.
    grids = verified_patch_grids(model, report)
    assert len(set(grids)) == 2 and model.backbone.position_grid not in grids, grids
    assert report.output_scale > 0.5
    assert report.max_abs_difference <= FLOAT32_TOLERANCE * max(1.0, report.output_scale)
    # Non-square grids too (16x24 and 24x8 patches): height and width resampled each by its own matrix.
    difference, scale = difference_from_keras(model, path, format, image_batches())
    assert scale > 0.5
    assert difference <= FLOAT32_TOLERANCE * max(1.0, scale)


def test_transformer_tflite_takes_int32_token_ids_of_any_length(tmp_path):
    from ai_edge_litert.interpreter import Interpreter

    model = small_transformer()
    path = str(tmp_path / "transformer.tflite")
    export_model(model, path, format="tflite", verbose=False)
    # Sources of 9 and 4 tokens, targets of 5 and 13, batch 3 and 1.
    difference, scale = difference_from_keras(model, path, "tflite", token_batches())
    assert scale > 0.5
    assert difference <= FLOAT32_TOLERANCE * max(1.0, scale)
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
    difference, scale = difference_from_keras(model, path, "saved_model", token_batches())
    assert scale > 0.5
    assert difference <= FLOAT32_TOLERANCE * max(1.0, scale)
    loaded = tf.saved_model.load(path)  # kept alive: its variables die with it
    ids = loaded.generate(np.full((3, 5), 7, "int32")).numpy()
    assert ids.shape == (3, 4) and (ids[:, 0] == 1).all()  # another batch and length


def _gpt_prompts():
    ids = np.random.default_rng(3).integers(0, 50, (3, 6)).astype("int32")  # id 0 is a token too
    mask = np.array([[True] * 6, [False] * 4 + [True] * 2, [False] * 5 + [True]])
    return ids, mask


def test_gpt_saved_model_generates_greedy_and_sampled_left_padded_batches(tmp_path):
    import tensorflow as tf

    model = small_gpt()
    generation = {"prompt_length": 6, "max_new_tokens": 8, "sampling": {"temperature": 1.5, "top_k": 10}}
    path = str(tmp_path / "gpt")
    report = export_model(model, path, format="saved_model", generation=generation, verbose=False)
    assert report.generation_matches
    loaded = tf.saved_model.load(path)  # kept alive: its variables die with it
    ids, mask = _gpt_prompts()  # another batch than the verifier's, padded otherwise
    greedy = loaded.generate(prompt_ids=ids, padding_mask=mask).numpy()
    np.testing.assert_array_equal(greedy, model.generate(ids, 8, padding_mask=mask))
    noise = np.random.default_rng(7).uniform(size=(14, 3)).astype("float32")
    sampled = loaded.sample(prompt_ids=ids, padding_mask=mask, noise=noise).numpy()
    np.testing.assert_array_equal(sampled, model.generate(ids, 8, padding_mask=mask, do_sample=True, seed=7,
                                                          temperature=1.5, top_k=10))
    assert not np.array_equal(sampled, greedy)
    logits = loaded.serve({"token_ids": ids, "padding_mask": mask}).numpy()
    expected = keras_outputs(model, [{"token_ids": ids, "padding_mask": mask}])[0]
    assert np.abs(logits - expected)[mask].max() <= FLOAT32_TOLERANCE * max(1.0, np.abs(expected).max())


def test_gpt_tflite_forward_pass_takes_a_padding_mask(tmp_path):
    model = small_gpt()
    path = str(tmp_path / "gpt.tflite")
    export_model(model, path, format="tflite", verbose=False)
    ids, mask = _gpt_prompts()
    batches = [{"token_ids": ids, "padding_mask": mask}, {"token_ids": ids[:1, :4], "padding_mask": mask[:1, :4]}]
    difference, scale = difference_from_keras(model, path, "tflite", batches)
    assert scale > 0.5
    assert difference <= FLOAT32_TOLERANCE * max(1.0, scale)


def test_bad_gpt_generation_options_are_one_clear_error(tmp_path):
    model = small_gpt()
    with pytest.raises(ValueError, match=r"takes prompt_length, max_new_tokens, end_token_id, sampling"):
        export_model(model, str(tmp_path / "gpt"), format="saved_model", generation={"max_length": 4}, verbose=False)


def test_gan_generator_tflite_from_the_cli_then_quantized(tmp_path, capsys):
    from ai_edge_litert.interpreter import Interpreter

    from keras_zoo.cli import main

    generator = gan_generator()
    run = tmp_path / "gan_digits-20260101-000000"
    run.mkdir()
    generator.save(str(run / "generator.keras"))
    assert main(["export", str(run), "--format", "tflite"]) == 0
    float_path = run / "export" / "generator.tflite"
    assert "max |difference|" in capsys.readouterr().out
    difference, scale = difference_from_keras(generator, float_path, "tflite", latent_batches())
    assert scale > 0.1
    assert difference <= FLOAT32_TOLERANCE * max(1.0, scale)

    # The verifier rejects an artifact of another model (same architecture, other weights).
    samples = [np.random.default_rng(0).normal(size=(2, 16)).astype("float32")]
    with pytest.raises(ExportVerificationError, match="above the tolerance"):
        verify_export(gan_generator(), str(float_path), "tflite", samples)

    # float16 weights, float32 math: it runs, close to Keras at float16's precision,
    # and the weights take half the bytes (2 fewer per parameter; BatchNorm's few,
    # folded, aside).
    path = str(tmp_path / "generator_float16.tflite")
    export_model(generator, path, format="tflite", quantize="float16", verbose=False)
    difference, scale = difference_from_keras(generator, path, "tflite", latent_batches())
    assert difference <= FLOAT16_TOLERANCE * scale
    assert os.path.getsize(float_path) - os.path.getsize(path) >= 0.8 * 2 * generator.count_params()
    assert "float16" in {np.dtype(tensor["dtype"]).name for tensor in Interpreter(model_path=path).get_tensor_details()}

    path = str(tmp_path / "generator_int8.tflite")
    export_model(generator, path, format="tflite", quantize="dynamic_int8", verbose=False)
    assert os.path.getsize(path) < 0.5 * os.path.getsize(float_path)  # int8 weights
    difference, scale = difference_from_keras(generator, path, "tflite", latent_batches())
    assert difference <= DYNAMIC_INT8_TOLERANCE * scale
    with pytest.raises(ExportVerificationError, match="above the tolerance"):
        verify_export(gan_generator(), path, "tflite", samples, quantize="dynamic_int8")


def test_any_size_vit_tflite_from_the_cli(tmp_path, capsys):
    from keras_zoo.cli import main

    model = any_size_vit()
    model.save(str(tmp_path / "vit.keras"))
    assert main(["export", str(tmp_path / "vit.keras"), "--format", "tflite"]) == 0
    assert "verified on 2 batches" in capsys.readouterr().out
    # Written beside the .keras file; the loaded model's table is still resampled at run time.
    difference, scale = difference_from_keras(model, tmp_path / "vit.tflite", "tflite", image_batches())
    assert scale > 0.5
    assert difference <= FLOAT32_TOLERANCE * max(1.0, scale)


def test_gan_model_exports_its_generator_as_saved_model(tmp_path):
    import keras_zoo

    gan = keras_zoo.create_model("wgan_gp", image_shape=(8, 8, 1), latent_dim=16, base_filters=8)
    scale_kernels(gan.generator, 8.0)  # unscaled, it outputs ~1e-3: a 1e-4 bound would mean nothing
    path = str(tmp_path / "generator")
    export_model(gan, path, format="saved_model", verbose=False)
    # The artifact takes latents and gives the generator's images.
    difference, scale = difference_from_keras(gan.generator, path, "saved_model", latent_batches())
    assert 0.1 < scale <= 1.0  # tanh images
    assert difference <= FLOAT32_TOLERANCE


def test_a_failed_verification_removes_the_file(tmp_path, monkeypatch):
    """A file left behind would look like a good export."""
    monkeypatch.setitem(verification.TOLERANCES, None, -1.0)  # every difference is above it
    path = tmp_path / "generator.tflite"
    with pytest.raises(ExportVerificationError, match="above the tolerance .* The artifact was removed"):
        export_model(gan_generator(), str(path), format="tflite", verbose=False)
    assert list(tmp_path.iterdir()) == []


def test_a_saved_model_its_runtime_cannot_run_is_removed(tmp_path, monkeypatch):
    """So is a SavedModel folder that the verifier could not even run."""

    def broken_runner(path, model):
        raise RuntimeError("the runtime cannot load it")

    monkeypatch.setitem(verification._RUNNERS, "saved_model", broken_runner)
    path = tmp_path / "generator"
    with pytest.raises(ExportVerificationError, match="could not be verified .*cannot load it.* was removed"):
        export_model(gan_generator(), str(path), format="saved_model", verbose=False)
    assert list(tmp_path.iterdir()) == []
