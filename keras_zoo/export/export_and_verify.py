"""`export_model`: write a model as SavedModel / TFLite / ONNX, then verify it."""

import os
import shutil
import tempfile

import keras

from keras_zoo.export.formats import require_packages, resolve_format
from keras_zoo.export.sample_batches import default_samples
from keras_zoo.export.sources import default_output_path, resolve_keras_file
from keras_zoo.export.verification import ExportVerificationError, verify_export, verify_generation


def export_model(model_or_path, path=None, format="saved_model", quantize=None, samples=None, checkpoint=None,
                 generation=None, verbose=True):
    """Exports a Keras model and checks the artifact against it.

    Args:
        model_or_path: a `keras.Model` (a GAN exports its generator), a `.keras`
            file, or a run directory (its generator.keras, best.keras or
            last.keras, or `checkpoint`).
        path: where to write; by default beside the `.keras` file (a run's
            exports go to `<run>/export/`). Required for an in-memory model.
        format: "saved_model", "tflite" or "onnx".
        quantize: TFLite only: None, "float16" or "dynamic_int8".
        samples: a list of input batches to verify on (default: two random
            batches of different sizes, see `sample_batches.py`).
        generation: SavedModel only. A Transformer's `{"max_length": ...,
            "start_token_id": ..., "end_token_id": ...}` adds a `generate`
            endpoint (greedy decoding in the graph); a CausalLM's
            `{"prompt_length", "max_new_tokens"[, "end_token_id", "sampling"]}`
            adds `generate` and, with sampling options, `sample`
            (keras_zoo/export/causal_generation.py). Verified to give the same
            ids as `model.generate`.

    Returns an `ExportReport` (path, route, max |difference| ...). Raises
    `ExportVerificationError` (and deletes the artifact) above tolerance, or
    when the artifact cannot be run to verify it.
    """
    export_format = resolve_format(format, quantize)
    require_packages(export_format)
    keras_file = None
    if isinstance(model_or_path, (str, os.PathLike)):
        keras_file = resolve_keras_file(model_or_path, checkpoint)
        import keras_zoo

        keras_zoo.list_models()  # registers every keras_zoo class before loading
        model = keras.saving.load_model(keras_file, compile=False)
        path = path or default_output_path(keras_file, export_format, quantize)
    else:
        model = model_or_path
        if path is None:
            raise ValueError("export_model(model, path=None): give a path for an in-memory model.")
    model = getattr(model, "generator", model)  # a GAN is served by its generator
    path = os.fspath(path)
    if export_format.suffix and not path.endswith(export_format.suffix):
        raise ValueError(f"A {format} export path must end in '{export_format.suffix}'. Received: {path}")
    if generation is not None and (format != "saved_model" or not hasattr(model, "generate")):
        raise ValueError(
            "generation= exports a language model's `generate` to SavedModel only (TFLite and ONNX carry "
            f"the forward pass). Received: format='{format}', model {type(model).__name__}."
        )
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)

    route = _write(model, keras_file, path, format, quantize, generation)
    try:
        samples = samples or default_samples(model)
        report = verify_export(model, path, format, samples, quantize, route)
        if generation and hasattr(model, "takes_padding_mask"):  # a decoder-only CausalLM
            from keras_zoo.export.causal_generation import left_padded_prompts, verify_causal_generation

            prompts = left_padded_prompts(generation, model.vocabulary_size)
            report.generation_matches = verify_causal_generation(model, path, generation, *prompts)
        elif generation:
            report.generation_matches = verify_generation(model, path, generation, samples)
    except Exception as error:  # also an artifact that its runtime cannot run: unverified
        _remove(path)  # nothing that looks like a good export stays behind
        if isinstance(error, ExportVerificationError):
            raise ExportVerificationError(f"{error} The artifact was removed.") from None
        raise ExportVerificationError(
            f"{path}: the export could not be verified ({type(error).__name__}: {error}). The artifact was removed."
        ) from error
    if verbose:
        print(report.summary())
    return report


def _write(model, keras_file, path, format, quantize, generation):
    backend = keras.backend.backend()
    if backend == "tensorflow":
        from keras_zoo.export.tensorflow_writers import write_export

        write_export(model, path, format, quantize, generation)
        return "tensorflow backend, in process"
    from keras_zoo.export.tensorflow_subprocess import write_in_tensorflow_process

    with tempfile.TemporaryDirectory() as scratch:
        if keras_file is None:  # an in-memory model crosses backends as a .keras file
            keras_file = os.path.join(scratch, "model.keras")
            model.save(keras_file)
        write_in_tensorflow_process(keras_file, path, format, quantize, generation)
    return f"{backend} -> tensorflow backend subprocess"


def _remove(path):
    if os.path.isdir(path):
        shutil.rmtree(path)
    elif os.path.exists(path):
        os.remove(path)
