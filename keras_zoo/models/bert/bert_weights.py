"""Loads BERT weights: our own files, and Hugging Face's `BertModel`,
`BertForMaskedLM`, `BertForPreTraining` and `BertForSequenceClassification`
checkpoints (`model.safetensors`, `pytorch_model.bin`), read without
unpickling. A head the checkpoint lacks (a classifier fine-tuned from a
pretraining checkpoint, the pooler `BertForMaskedLM` leaves out) keeps its
initialisation, with a warning; a masked LM needs the checkpoint's."""

import os
import warnings

import keras

from keras_zoo.weights.state_assignment import assign_state
from keras_zoo.weights.state_assignment import renamed_key
from keras_zoo.weights.torch_layouts import same
from keras_zoo.weights.transformer_block_state import dense_targets
from keras_zoo.weights.transformer_block_state import layer_norm_targets
from keras_zoo.weights.weight_files import load_weights_file

_TOKEN_KEY = "embeddings.word_embeddings.weight"
_MLM = "cls.predictions."
_NSP = "cls.seq_relationship."
# google-research/bert's TensorFlow names, kept by checkpoints converted from it.
_LEGACY_RULES = ((r"LayerNorm\.gamma$", "LayerNorm.weight"), (r"LayerNorm\.beta$", "LayerNorm.bias"))


def load_bert_weights(model, path):
    """Loads `path` into a `MaskedLM`, `NextSentenceMaskedLM` or
    `TextClassifier` over a `BERTBackbone`, or the backbone. A `.keras` file of another of the
    three (our pretraining run's masked LM, say) gives its backbone; the
    model's own head starts fresh, with a warning."""
    if os.fspath(path).endswith(".keras"):
        saved = keras.saving.load_model(path, compile=False)
        if type(saved) is not type(model):
            return _load_backbone_of(model, saved, path)
    return load_weights_file(model, path, assign_bert_state)


def _load_backbone_of(model, saved, path):
    source, target = getattr(saved, "backbone", saved), getattr(model, "backbone", model)
    ours = [tuple(v.shape) for v in target.weights]
    theirs = [tuple(v.shape) for v in source.weights]
    if type(source) is not type(target) or ours != theirs:
        raise ValueError(
            f"{path} holds a {type(saved).__name__} whose backbone ({type(source).__name__}, "
            f"{len(theirs)} weights) does not match this model's ({type(target).__name__}, {len(ours)} weights). "
            "Does the variant match the file (layers, width, vocabulary, positions)?")
    target.set_weights(source.get_weights())
    if target is not model:
        warnings.warn(f"{path} holds a {type(saved).__name__}: its backbone is loaded, this "
                      f"{type(model).__name__}'s head is initialised afresh.", stacklevel=3)
    return model


def assign_bert_state(model, state):
    """Assigns a Hugging Face BERT state dict ({key: np.ndarray})."""
    state = {renamed_key(key.removeprefix("bert."), _LEGACY_RULES): value for key, value in state.items()}
    if _TOKEN_KEY not in state:
        raise ValueError(
            f"Not a BERT checkpoint in Hugging Face's layout: no '{_TOKEN_KEY}' or 'bert.{_TOKEN_KEY}'. "
            f"First keys: {sorted(state)[:5]}"
        )
    _check_tied(state, f"{_MLM}decoder.weight", _TOKEN_KEY)
    _check_tied(state, f"{_MLM}decoder.bias", f"{_MLM}bias")
    backbone = getattr(model, "backbone", model)
    masked_lm, classifier = getattr(model, "head", None), getattr(model, "classifier", None)
    next_sentence = getattr(model, "next_sentence", None)
    fresh = []
    if "pooler.dense.weight" not in state and (masked_lm is None or next_sentence is not None):
        fresh.append("the pooler")
    if classifier is not None and "classifier.weight" not in state:
        fresh.append("the classifier")
    if next_sentence is not None and f"{_NSP}weight" not in state:
        fresh.append("the next-sentence head")
        next_sentence = None
    if fresh:
        warnings.warn(f"The checkpoint has no weights for {' and '.join(fresh)}: initialised afresh.", stacklevel=3)
    assign_state(
        state, _targets(backbone, masked_lm, classifier if "classifier.weight" in state else None,
                        next_sentence, has_pooler="pooler.dense.weight" in state),
        classifier_prefix="classifier.", optional_prefixes=("cls.", "pooler.", "classifier."),
        # The tied decoder (checked equal above), the position ids buffer of older transformers,
        # and BertForPreTraining's next-sentence head where the model has none.
        ignored=(f"{_MLM}decoder.weight", f"{_MLM}decoder.bias", "embeddings.position_ids",
                 *(() if next_sentence is not None else (_NSP,))),
        hint=" Does the variant match the checkpoint (layers, width, vocabulary, positions)?",
    )
    return model


def _check_tied(state, key, embedding_key):
    tied, embedding = state.get(key), state[embedding_key] if embedding_key in state else None
    if tied is not None and not (embedding is not None and tied.shape == embedding.shape and (tied == embedding).all()):
        raise ValueError(
            f"The checkpoint's '{key}' differs from '{embedding_key}'; keras_zoo's BERT ties them "
            "(Hugging Face's tie_word_embeddings=True)."
        )


def _targets(backbone, masked_lm, classifier, next_sentence, has_pooler):
    """Yields (keras variable, Hugging Face key, conversion) in model order."""
    yield backbone.token_embedding.embeddings, _TOKEN_KEY, same
    yield backbone.segment_embedding.embeddings, "embeddings.token_type_embeddings.weight", same
    yield backbone.position_embedding.position_embeddings, "embeddings.position_embeddings.weight", same
    yield from layer_norm_targets(backbone.embedding_norm, "embeddings.LayerNorm")
    for i, block in enumerate(backbone.blocks):
        key, attention, feed_forward = f"encoder.layer.{i}", block.self_attention, block.feed_forward
        for projection, name in ((attention.query_dense, "query"), (attention.key_dense, "key"),
                                 (attention.value_dense, "value")):
            yield from dense_targets(projection, f"{key}.attention.self.{name}")
        yield from dense_targets(attention.output_dense, f"{key}.attention.output.dense")
        yield from layer_norm_targets(block.self_attention_norm, f"{key}.attention.output.LayerNorm")
        yield from dense_targets(feed_forward.intermediate_dense, f"{key}.intermediate.dense")
        yield from dense_targets(feed_forward.output_dense, f"{key}.output.dense")
        yield from layer_norm_targets(block.feed_forward_norm, f"{key}.output.LayerNorm")
    if has_pooler:
        yield from dense_targets(backbone.pooler, "pooler.dense")
    if masked_lm is not None:
        yield from dense_targets(masked_lm.transform, f"{_MLM}transform.dense")
        yield from layer_norm_targets(masked_lm.transform_norm, f"{_MLM}transform.LayerNorm")
        yield masked_lm.output_bias, f"{_MLM}bias", same
    if next_sentence is not None:
        yield from dense_targets(next_sentence, _NSP.removesuffix("."))
    if classifier is not None:
        yield from dense_targets(classifier, "classifier")
