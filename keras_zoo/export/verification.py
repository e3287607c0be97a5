"""Load an export back with its own runtime, run it, compare with Keras.

SavedModel: `tf.saved_model.load(...).serve`; TFLite: the LiteRT interpreter
(`ai_edge_litert`, not TensorFlow's copy); ONNX: onnxruntime.

Tolerance on the largest absolute difference |export - keras| over the samples:
float32 exports: 1e-4, scaled by max|y| once outputs exceed 1 (logits of a
trained model do), i.e. `1e-4 * max(1, max|y|)`. Quantized TFLite, relative
to the output scale `max|y|`: float16 weights 1e-2, dynamic int8 (weights and
activations rounded to 8 bits) 1e-1; measured errors are 5-20x below these, and
an export whose outputs are unrelated to the model's (differences of order
max|y|) still fails.
"""

import dataclasses

import keras
import numpy as np
from keras import tree

TOLERANCES = {None: 1e-4, "float16": 1e-2, "dynamic_int8": 1e-1}


class ExportVerificationError(RuntimeError):
    """The written artifact does not reproduce the Keras model."""


@dataclasses.dataclass
class ExportReport:
    path: str
    format: str
    quantize: object
    route: str
    max_abs_difference: float
    output_scale: float  # max |y| of the Keras model on the samples
    tolerance: float  # the bound max_abs_difference was held to
    sample_shapes: list
    generation_matches: object = None  # SavedModel `generate`: same ids as model.generate

    def summary(self):
        quantized = f" ({self.quantize})" if self.quantize else ""
        return (
            f"Exported {self.format}{quantized} to {self.path} via {self.route}; verified on "
            f"{len(self.sample_shapes)} batches {self.sample_shapes}: max |difference| "
            f"{self.max_abs_difference:.3g} (outputs up to {self.output_scale:.3g}; tolerance "
            f"{self.tolerance:.3g})" + ("; `generate` gives model.generate's ids." if self.generation_matches else ".")
        )


def verify_export(model, path, format, samples, quantize=None, route=""):
    """Runs `samples` through the artifact and `model`; returns an
    `ExportReport`, or raises `ExportVerificationError` above tolerance."""
    runner = _RUNNERS[format](path, model)
    difference, scale = 0.0, 0.0
    for sample in samples:
        expected = [keras.ops.convert_to_numpy(y) for y in tree.flatten(model(sample, training=False))]
        actual = runner(sample)
        if len(actual) != len(expected):
            raise ExportVerificationError(
                f"{path}: the export returns {len(actual)} outputs, the model {len(expected)}."
            )
        for got, want in zip(actual, expected):
            if got.shape != want.shape:
                raise ExportVerificationError(
                    f"{path}: output shape {got.shape} from the export, {want.shape} from the model."
                )
            difference = max(difference, float(np.max(np.abs(got.astype(np.float64) - want))))
            scale = max(scale, float(np.max(np.abs(want))))
    tolerance = TOLERANCES[quantize] * (scale if quantize else max(1.0, scale))
    shapes = [[list(x.shape) for x in tree.flatten(sample)] for sample in samples]
    report = ExportReport(str(path), format, quantize, route, difference, scale, tolerance, shapes)
    if not difference <= tolerance:  # also catches NaN
        raise ExportVerificationError(
            f"{path}: max |difference| from the Keras model is {difference:.3g}, above the tolerance "
            f"{tolerance:.3g} for {quantize or 'float32'} exports (outputs up to {scale:.3g})."
        )
    return report


def verify_generation(model, path, generation, samples):
    """The SavedModel's `generate` endpoint gives exactly `model.generate`'s ids,
    on the first sample batch (each new shape costs model.generate an XLA
    compilation)."""
    import tensorflow as tf

    loaded = tf.saved_model.load(str(path))
    for sample in samples[:1]:
        source = np.asarray(sample["source"], "int32")
        expected = model.generate(source, **generation)
        actual = loaded.generate(source).numpy()
        if actual.shape != expected.shape or not np.array_equal(actual, expected):
            raise ExportVerificationError(
                f"{path}: `generate` gives other ids than model.generate for source {source.shape}:\n"
                f"{actual}\nvs\n{expected}"
            )
    return True


def _named_inputs(model, sample):
    """{input name: array}, the names the exporters give the inputs."""
    if isinstance(sample, dict):
        return {name: np.asarray(value) for name, value in sample.items()}
    arrays = tree.flatten(sample)
    return {tensor.name: np.asarray(array) for tensor, array in zip(model.inputs, arrays)}


def _saved_model_runner(path, model):
    import tensorflow as tf

    loaded = tf.saved_model.load(str(path))  # kept: its variables die with it

    def run(sample):
        return [np.asarray(y) for y in tree.flatten(loaded.serve(sample))]

    return run


def _tflite_runner(path, model):
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path))
    runner = interpreter.get_signature_runner()  # resizes dynamic inputs itself
    input_names = interpreter.get_signature_list()["serving_default"]["inputs"]

    def run(sample):
        named = _named_inputs(model, sample)
        if len(input_names) == 1 and len(named) == 1:
            named = {input_names[0]: next(iter(named.values()))}
        outputs = runner(**named)
        return [outputs[name] for name in sorted(outputs)]

    return run


def _onnx_runner(path, model):
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    input_names = [i.name for i in session.get_inputs()]

    def run(sample):
        named = _named_inputs(model, sample)
        if len(input_names) == 1 and len(named) == 1:
            named = {input_names[0]: next(iter(named.values()))}
        return session.run(None, named)

    return run


_RUNNERS = {"saved_model": _saved_model_runner, "tflite": _tflite_runner, "onnx": _onnx_runner}
