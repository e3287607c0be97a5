"""The export formats and quantizations, as data.

Every format is written by the TensorFlow backend (see `routes.py` for why);
`packages` are the modules the writer and the verifier need, and `extra` the
`pip install keras-zoo[...]` extra that brings them.
"""

import dataclasses
import importlib.util


@dataclasses.dataclass(frozen=True)
class ExportFormat:
    name: str
    suffix: str  # "" for a directory
    packages: tuple  # import names needed to write and to verify
    quantizations: tuple  # besides None
    description: str


FORMATS = {
    "saved_model": ExportFormat(
        "saved_model", "", ("tensorflow",), (), "TensorFlow SavedModel directory, endpoint `serve`"
    ),
    "tflite": ExportFormat(
        "tflite", ".tflite", ("tensorflow", "ai_edge_litert"), ("float16", "dynamic_int8"),
        "LiteRT (TFLite) flatbuffer, builtin ops only (no Flex delegate needed)",
    ),
    "onnx": ExportFormat(
        "onnx", ".onnx", ("tensorflow", "tf2onnx", "onnx", "onnxruntime"), (),
        "ONNX graph written by tf2onnx, run by onnxruntime",
    ),
}

# PyPI names of the import names above, for the error message.
_PYPI_NAMES = {"tensorflow": "tensorflow-cpu", "ai_edge_litert": "ai-edge-litert"}


def resolve_format(name, quantize=None):
    """Returns the `ExportFormat` called `name`, after checking `quantize`."""
    if name not in FORMATS:
        raise ValueError(f"Unknown export format '{name}'. Valid formats: {', '.join(FORMATS)}.")
    export_format = FORMATS[name]
    if quantize is not None and quantize not in export_format.quantizations:
        valid = ", ".join(export_format.quantizations) or "none (float32 only)"
        raise ValueError(
            f"Unknown quantization '{quantize}' for format '{name}'. Valid for '{name}': {valid}."
        )
    return export_format


def require_packages(export_format):
    """Raises an `ImportError` naming the extra to install when a package is missing."""
    missing = [name for name in export_format.packages if importlib.util.find_spec(name) is None]
    if missing:
        names = ", ".join(_PYPI_NAMES.get(name, name) for name in missing)
        raise ImportError(
            f"Exporting to '{export_format.name}' needs {names}, which is not installed. "
            'Install the export extra: pip install "keras-zoo[export]" (or "keras-zoo[all]").'
        )
