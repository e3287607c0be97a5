"""Writers for each format, run under the TensorFlow backend.

They use keras' own exporters (`Model.export`) and add only what keras leaves
open: builtin-ops-only TFLite, quantization through the TFLite converter, and
the ONNX `Erfc` rewrite.
"""

import logging

import keras

from keras_zoo.export.onnx_erfc import replace_erfc_with_erf
from keras_zoo.export.sample_batches import default_samples


def write_export(model, path, format, quantize=None, generation=None):
    if keras.backend.backend() != "tensorflow":
        raise RuntimeError(
            f"keras_zoo.export writers run under the TensorFlow backend; this process runs "
            f"'{keras.backend.backend()}'. Use keras_zoo.export.export_model, which picks the route."
        )
    if generation:
        _write_saved_model_with_generation(model, path, generation)
    else:
        _WRITERS[format](model, path, quantize)


def _write_saved_model(model, path, quantize):
    model.export(path, format="tf_saved_model", verbose=False)


def _write_saved_model_with_generation(model, path, generation):
    """`serve` (the forward pass) plus `generate`: greedy decoding of int32
    source ids (B, S) into (B, max_length) ids, the whole loop in the graph."""
    import tensorflow as tf
    from keras import tree

    from keras_zoo.generation.decoding import check_decoding_args, check_special_tokens, search_function

    if hasattr(model, "takes_padding_mask"):  # a decoder-only CausalLM
        from keras_zoo.export.causal_generation import write_causal_generation

        return write_causal_generation(model, path, generation)

    max_length, start, end = (generation[key] for key in ("max_length", "start_token_id", "end_token_id"))
    check_decoding_args(max_length)
    check_special_tokens(model.output_vocabulary_size, start_token_id=start, end_token_id=end)
    greedy_search = search_function(model.generation_inputs(max_length, start), end, model.output_vocabulary_size)
    archive = keras.export.ExportArchive()
    serve_signature = tree.map_structure(lambda t: tf.TensorSpec(t.shape, t.dtype, name=t.name), model.input)
    archive.track_and_add_endpoint("serve", model, [serve_signature])
    archive.add_endpoint(
        "generate",
        lambda source: greedy_search(source),
        input_signature=[tf.TensorSpec((None, None), tf.int32, name="source")],
    )
    archive.write_out(path, verbose=False)


def _write_tflite(model, path, quantize):
    import tensorflow as tf

    # Builtin ops only: keras' default also allows SELECT_TF_OPS, whose Flex
    # delegate the standalone LiteRT runtime (ai_edge_litert) does not have, so
    # a Flex op would give a file that converts but cannot run.
    target_spec = {"supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS]}
    options = {}
    if quantize == "float16":  # float16 weights, float32 math
        target_spec["supported_types"] = [tf.float16]
        options["optimizations"] = [tf.lite.Optimize.DEFAULT]
    elif quantize == "dynamic_int8":  # int8 weights, activations quantized on the fly
        options["optimizations"] = [tf.lite.Optimize.DEFAULT]
    model.export(path, format="litert", verbose=False, target_spec=target_spec, **options)


def _write_onnx(model, path, quantize):
    tf2onnx_logger = logging.getLogger("tf2onnx.tfonnx")
    tf2onnx_logger.addFilter(_quiet_about_erfc)
    try:
        model(default_samples(model)[1], training=False)  # keras' ONNX export wants a called model
        model.export(path, format="onnx", verbose=False)
    finally:
        tf2onnx_logger.removeFilter(_quiet_about_erfc)
    replace_erfc_with_erf(path)


def _quiet_about_erfc(record):
    # tf2onnx logs ERRORs for the Erfc nodes it writes; they are rewritten next.
    return "Erfc" not in record.getMessage()


_WRITERS = {"saved_model": _write_saved_model, "tflite": _write_tflite, "onnx": _write_onnx}
