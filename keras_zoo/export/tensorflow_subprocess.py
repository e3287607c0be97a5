"""The cross-backend route: a model trained on JAX or PyTorch is written by a
fresh `KERAS_BACKEND=tensorflow` process that loads its `.keras` file.

Why not each backend's own exporter: the PyTorch backend cannot write a
SavedModel (it needs torch_xla) nor, without `litert-torch`, a TFLite file;
JAX writes SavedModels through jax2tf as `XlaCallModule` ops, which neither the
TFLite converter nor tf2onnx can convert. A `.keras` file holds the same
weights on every backend, so one route gives every format from every backend.

    python -m keras_zoo.export.tensorflow_subprocess MODEL.keras OUTPUT FORMAT QUANTIZE|- [GENERATION_JSON]
"""

import json
import os
import subprocess
import sys

import keras_zoo


def write_in_tensorflow_process(keras_file, path, format, quantize=None, generation=None):
    """Writes the export from a TensorFlow-backend subprocess (no verification:
    the caller verifies against its own, original-backend model)."""
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(keras_zoo.__file__)))
    # Writing an export is CPU work, and the caller may hold the GPU (JAX takes 75% of
    # its memory at start): TensorFlow here sees no GPU.
    environment = dict(os.environ, KERAS_BACKEND="tensorflow", CUDA_VISIBLE_DEVICES="")
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, environment.get("PYTHONPATH")]))
    command = [sys.executable, "-m", __name__, os.fspath(keras_file), os.fspath(path), format, quantize or "-"]
    if generation:
        command.append(json.dumps(generation))
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(
            f"The TensorFlow-backend export process failed (exit {result.returncode}) for "
            f"{keras_file} -> {format}:\n{result.stderr[-3000:]}"
        )


def main(argv):
    keras_file, path, format, quantize = argv[:4]
    quantize = None if quantize == "-" else quantize
    generation = json.loads(argv[4]) if len(argv) > 4 else None
    import keras

    if keras.backend.backend() != "tensorflow":
        raise SystemExit(f"Run with KERAS_BACKEND=tensorflow, not '{keras.backend.backend()}'.")
    from keras_zoo.export.tensorflow_writers import write_export

    keras_zoo.list_models()  # registers every keras_zoo class before loading
    # compile=False: an export needs no optimizer, and a torch-trained file names
    # the torch backend's optimizer class, whose import after TensorFlow crashes.
    write_export(keras.saving.load_model(keras_file, compile=False), path, format, quantize, generation)


if __name__ == "__main__":
    main(sys.argv[1:])
