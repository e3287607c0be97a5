"""MaskedLM: BERT's pretraining head over any encoder backbone, its output
projection tied to the backbone's token embedding. A toy encoder stands in
until the BERT family (issue 23)."""

import keras
import numpy as np
import pytest

from keras_zoo.layers.masked_lm_head import MaskedLMHead
from keras_zoo.layers.transformer_block import TransformerBlock
from keras_zoo.models.backbone import Backbone
from keras_zoo.models.masked_lm import MaskedLM
from keras_zoo.testing import check_model

VOCABULARY = 19


@keras.saving.register_keras_serializable(package="keras_zoo_tests")
class ToyEncoder(Backbone):
    """Token embedding and one post-norm block; dict outputs as BERT's."""

    def __init__(self, vocabulary_size=VOCABULARY, hidden_dim=8, dtype=None, **kwargs):
        self.token_embedding = keras.layers.ReversibleEmbedding(vocabulary_size, hidden_dim, dtype=dtype,
                                                                name="token_embedding")
        token_ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
        x = self.token_embedding(token_ids)
        x = TransformerBlock(2 * hidden_dim, 2, dropout=0.0, dtype=dtype, name="block")(x)
        outputs = {"sequence_output": x, "pooled_output": x[:, 0]}
        super().__init__(inputs=token_ids, outputs=outputs, dtype=dtype, **kwargs)
        self.vocabulary_size, self.hidden_dim = vocabulary_size, hidden_dim

    def get_config(self):
        return {**super().get_config(), "vocabulary_size": self.vocabulary_size, "hidden_dim": self.hidden_dim}


IDS = np.array([[3, 7, 1, 18], [2, 2, 9, 5]], dtype="int32")


def _perturbed(model, seed=0):
    rng = np.random.default_rng(seed)
    for variable in model.weights:
        variable.assign(variable.numpy() + rng.normal(scale=0.5, size=variable.shape).astype(variable.dtype))
    return model


def _gelu(x):
    from math import erf, sqrt

    return x * 0.5 * (1 + np.vectorize(erf)(x / sqrt(2)))


def test_logits_are_the_transformed_sequence_times_the_token_embedding_plus_a_bias():
    model = _perturbed(MaskedLM(ToyEncoder()))
    sequence = keras.ops.convert_to_numpy(model.backbone(IDS)["sequence_output"]).astype("float64")
    head = model.get_layer("masked_lm_head")
    kernel, bias = (keras.ops.convert_to_numpy(v).astype("float64") for v in head.transform.weights)
    gamma, beta = (keras.ops.convert_to_numpy(v).astype("float64") for v in head.transform_norm.weights)
    h = _gelu(sequence @ kernel + bias)
    h = (h - h.mean(-1, keepdims=True)) / np.sqrt(h.var(-1, keepdims=True) + 1e-12) * gamma + beta
    embedding = keras.ops.convert_to_numpy(model.backbone.token_embedding.embeddings).astype("float64")
    expected = h @ embedding.T + keras.ops.convert_to_numpy(head.output_bias)
    logits = keras.ops.convert_to_numpy(model(IDS))
    assert logits.shape == (2, 4, VOCABULARY) and logits.dtype == np.float32
    np.testing.assert_allclose(logits, expected, rtol=1e-4, atol=1e-4)


def test_the_embedding_is_one_weight_shared_by_input_and_output():
    model = MaskedLM(ToyEncoder())
    assert len({id(v) for v in model.weights}) == len(model.weights)
    # Backbone weights, then the head's transform (2), LayerNorm (2) and bias.
    assert len(model.weights) == len(model.backbone.weights) + 5
    assert sum(v.path.endswith("embeddings") for v in model.weights) == 1


def test_model_checks(tmp_path):
    def make(**kwargs):
        model = MaskedLM(ToyEncoder(**kwargs))
        model.compile(optimizer=keras.optimizers.SGD(0.1),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        return model

    check_model(make, IDS, str(tmp_path), fit_data=(IDS, IDS[:, ::-1]))


def test_bad_input_is_one_clear_error():
    model = MaskedLM(ToyEncoder())
    with pytest.raises(ValueError, match=rf"`token_ids` must be token ids in \[0, {VOCABULARY}\).*id 19"):
        model(np.array([[1, 19]]))
    plain = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(5, 4)])
    with pytest.raises(ValueError, match="needs a backbone whose `token_embedding` is a keras.layers.ReversibleEmbedding"):
        MaskedLM(plain)
    with pytest.raises(ValueError, match="MaskedLMHead needs the model's `keras.layers.ReversibleEmbedding`"):
        MaskedLMHead(token_embedding=None)
