"""Small models for the export tests, with outputs of order 1 (freshly
initialised GAN generators and ConvNeXt heads output ~1e-3, which would make
a 1e-4 tolerance meaningless); inputs the tests choose; and each artifact run
by its format's own runtime, so that a test compares the artifact with the
Keras model itself instead of trusting the verifier's report."""

import keras
import numpy as np

import keras_zoo
from keras_zoo.models.gan.dcgan_networks import build_dcgan_generator

# README's promise for float32 exports: max |export - Keras| <= 1e-4 * max(1, max|y|).
FLOAT32_TOLERANCE = 1e-4


def gan_generator():
    # The generator alone: building the whole GAN costs seconds on JAX.
    generator = build_dcgan_generator((8, 8, 1), latent_dim=16, base_filters=8)
    scale_kernels(generator, 8.0)
    return generator


def any_size_convnext():
    model = keras_zoo.create_model(
        "convnext_atto", depths=(1, 1, 1, 1), dims=(8, 16, 32, 64), num_classes=5,
        input_shape=(None, None, 3), head_init_scale=1.0,
    )
    scale_kernels(model, 4.0)
    return model


def any_size_vit():
    """A one-block ViT for any image size: its position table, stored for a
    6x5 patch grid (no grid of the verifier's 32 and 64 px, nor of the tests'
    images), is resampled in the graph to each image's grid."""
    model = keras_zoo.create_model(
        "vit_micro_patch4_32", depth=1, hidden_dim=16, num_heads=2, mlp_ratio=2.0, num_classes=3,
        input_shape=(None, None, 3), position_grid=(6, 5), head_init_scale=10.0,
    )
    # Initialised at std 0.02 the table barely moves the logits; at std 1 it
    # weighs as much as the patch tokens. And at std 0.02 the query and key
    # kernels make the attention uniform: the class token then averages over
    # the tokens and no permutation of the table shows. Sharpened 20x each,
    # the attention logits are O(1): a table resampled out of order moves the
    # logits far past the export tolerance (test_export_fixtures.py).
    table = model.backbone.get_layer("position_embedding").position_embeddings
    table.assign(np.random.default_rng(14).normal(size=table.shape).astype("float32"))
    # The other kernels 3x (the head 2x): the tokens' differences survive the
    # block and the final norm (measured: a flipped table moves the logits by
    # 0.04, against 0.001 without).
    for variable in model.weights:
        if variable.path.endswith(("query/kernel", "key/kernel")):
            variable.assign(variable * 20.0)
        if variable.path.endswith("kernel"):
            variable.assign(variable * (2.0 if variable.path.startswith("head") else 3.0))
    return model


def small_transformer():
    return keras_zoo.create_model(
        "transformer_tiny", num_layers=1, hidden_dim=32, intermediate_dim=64, num_heads=2, vocabulary_size=50
    )


def small_gpt():
    """A tiny GPT whose logits are far from uniform (kernels scaled): an export
    that loses the padding mask or the positions moves them and its tokens."""
    model = keras_zoo.create_model("gpt_micro", num_layers=2, hidden_dim=32, num_heads=4, vocabulary_size=50,
                                   max_sequence_length=24, seed=0)
    for variable in model.weights:
        variable.assign(variable * 8.0)
    return model


def small_bert(**head):
    """A two-block BERT (a classifier with `num_classes=`, the backbone with
    `features_only=True`) whose outputs move with every input: kernels scaled
    so that the attention is far from uniform and the logits are of order 1."""
    model = keras_zoo.create_model("bert_tiny", num_layers=2, hidden_dim=32, num_heads=2, intermediate_dim=64,
                                   vocabulary_size=50, max_sequence_length=24, seed=0, **head)
    scale_kernels(model, 6.0)  # sharp attention: ids under the padding would move the logits by ~1
    for variable in model.weights:
        if variable.path.startswith("classifier") and variable.path.endswith("kernel"):
            variable.assign(variable * 10.0)  # logits of order 1-10 from a tanh-bounded pooled output
    return model


def scale_kernels(model, factor):
    for variable in model.weights:
        if variable.path.endswith("kernel"):
            variable.assign(variable * factor)


# Inputs of the tests' own choosing, not the verifier's samples (batch 2 and 1;
# 32x32 and 64x64 images; 7 and 12 tokens): two batch sizes, and two sizes along
# every other dynamic axis, none of them the verifier's but batch 1.
def latent_batches(latent_dim=16):
    rng = np.random.default_rng(11)  # batch 1 again: on JAX each new shape compiles every op
    return [rng.normal(size=(batch, latent_dim)).astype("float32") for batch in (3, 1)]


def image_batches():
    rng = np.random.default_rng(12)  # non-square: height and width are separate axes
    return [rng.normal(size=shape).astype("float32") for shape in ((3, 64, 96, 3), (1, 96, 32, 3))]


def token_batches(vocabulary_size=50):
    rng = np.random.default_rng(13)  # source and target of different lengths
    return [
        {"source": rng.integers(1, vocabulary_size, (batch, source)).astype("int32"),
         "target": rng.integers(1, vocabulary_size, (batch, target)).astype("int32")}
        for batch, source, target in ((3, 9, 5), (1, 4, 13))
    ]


def bert_batches(vocabulary_size=50):
    """Sentence pairs of 9 and 14 tokens, batch 3 and 1, the rows padded at
    the end by 0-5 positions (padding id 0 in the ids too)."""
    rng = np.random.default_rng(15)
    batches = []
    for batch, length in ((3, 9), (1, 14)):
        ids = rng.integers(1, vocabulary_size, (batch, length)).astype("int32")
        lengths = rng.integers(length - 5, length + 1, batch)
        lengths[0] = length - 4  # some padding in every batch
        mask = np.arange(length)[None, :] < lengths[:, None]
        segments = (np.arange(length)[None, :] >= lengths[:, None] // 2).astype("int32") * mask
        batches.append({"token_ids": np.where(mask, ids, 0).astype("int32"), "segment_ids": segments,
                        "padding_mask": mask})
    return batches


def keras_outputs(model, batches):
    return [np.asarray(keras.ops.convert_to_numpy(model(batch, training=False))) for batch in batches]


def run_export(path, format, batches):
    """The artifact's single output for each batch, run by the format's own
    runtime: `tf.saved_model.load(...).serve`, the LiteRT interpreter,
    onnxruntime. A batch is an array (one input) or {input name: array}."""
    path = str(path)
    if format == "saved_model":
        import tensorflow as tf

        loaded = tf.saved_model.load(path)  # kept alive while it runs: its variables die with it
        return [np.asarray(loaded.serve(batch)) for batch in batches]
    if format == "tflite":
        from ai_edge_litert.interpreter import Interpreter

        interpreter = Interpreter(model_path=path)
        runner = interpreter.get_signature_runner("serving_default")  # resizes the inputs
        names = interpreter.get_signature_list()["serving_default"]["inputs"]
        outputs = [runner(**_named(batch, names)) for batch in batches]
        assert all(len(output) == 1 for output in outputs), [list(output) for output in outputs]
        return [next(iter(output.values())) for output in outputs]
    if format == "onnx":
        import onnxruntime

        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        names = [node.name for node in session.get_inputs()]
        assert len(session.get_outputs()) == 1, [node.name for node in session.get_outputs()]
        return [session.run(None, _named(batch, names))[0] for batch in batches]
    raise ValueError(f"Unknown format '{format}'.")


def difference_from_keras(model, path, format, batches):
    """(max |export - Keras|, max |Keras|) over `batches`, the shapes checked."""
    difference, scale = 0.0, 0.0
    for got, want in zip(run_export(path, format, batches), keras_outputs(model, batches), strict=True):
        assert got.shape == want.shape, f"{format} output {got.shape}, Keras {want.shape}"
        difference = max(difference, float(np.max(np.abs(got.astype(np.float64) - want))))
        scale = max(scale, float(np.max(np.abs(want))))
    return difference, scale


def verified_patch_grids(vit, report):
    """The patch grid (h, w) of each image batch the verifier ran through a ViT's export."""
    patch_h, patch_w = vit.backbone.patch_size
    return [(images[1] // patch_h, images[2] // patch_w) for (images,) in report.sample_shapes]


def _named(batch, names):
    if isinstance(batch, dict):
        assert sorted(batch) == sorted(names), (sorted(batch), names)
        return batch
    (name,) = names
    return {name: batch}
