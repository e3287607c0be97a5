"""CausalLM: next-token logits tied to any causal backbone's embedding, and
`generate` (greedy, beam, sampling) over its key/value cache, here with
keras_zoo's padding id 0 (never generated, what a finished row is extended
with) over a tiny GPT backbone. GPT-2's own rules (every id a token, left
padding) are tests/models/gpt's."""

import keras
import numpy as np
import pytest

from keras_zoo.models.causal_lm import CausalLM
from keras_zoo.models.gpt import GPTBackbone
from keras_zoo.testing import check_model

VOCABULARY = 23
MAX_POSITIONS = 24


def tiny_decoder(**kwargs):
    return GPTBackbone(**{"vocabulary_size": VOCABULARY, "num_layers": 2, "hidden_dim": 16, "num_heads": 2,
                          "max_sequence_length": MAX_POSITIONS, **kwargs})


def _perturbed(model, seed=0):
    # Default inits (zero biases, unit LayerNorms) would hide a wrong wiring.
    rng = np.random.default_rng(seed)
    for variable in model.weights:
        variable.assign(variable.numpy() + rng.normal(scale=0.3, size=variable.shape).astype(variable.dtype))
    return model


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    return _perturbed(CausalLM(tiny_decoder(), padding_token_id=0))


PROMPT = np.array([[5, 7, 2], [9, 1, 4]], dtype="int32")


def _logits(model, ids):
    return keras.ops.convert_to_numpy(model(ids))


def test_logits_are_the_hidden_states_times_the_token_embedding(model):
    hidden = keras.ops.convert_to_numpy(model.backbone(PROMPT))
    embedding = keras.ops.convert_to_numpy(model.backbone.token_embedding.embeddings)
    logits = _logits(model, PROMPT)
    assert logits.shape == (2, 3, VOCABULARY) and logits.dtype == np.float32
    np.testing.assert_allclose(logits, hidden @ embedding.T, rtol=1e-5, atol=1e-5)


def test_a_position_sees_only_the_positions_before_it(model):
    changed = PROMPT.copy()
    changed[:, 2] = 11
    np.testing.assert_allclose(_logits(model, changed)[:, :2], _logits(model, PROMPT)[:, :2], rtol=1e-6)
    assert not np.allclose(_logits(model, changed)[:, 2], _logits(model, PROMPT)[:, 2])


def _greedy_by_recomputing(model, prompt, new_tokens, end=None):
    """Each step the whole sequence again, no cache: the argmax (never padding)."""
    ids = prompt.copy()
    finished = np.zeros(len(ids), bool)
    for _ in range(new_tokens):
        logits = _logits(model, ids)[:, -1]
        logits[:, 0] = -np.inf
        tokens = np.where(finished, 0, logits.argmax(-1))
        ids = np.concatenate([ids, tokens[:, None]], axis=1).astype("int32")
        finished |= tokens == end
    return ids


def test_greedy_generation_over_the_cache_equals_recomputing_the_sequence(model):
    generated = model.generate(PROMPT, max_new_tokens=6)
    assert generated.shape == (2, 9) and generated.dtype == np.int32
    np.testing.assert_array_equal(generated[:, :3], PROMPT)  # the prompt comes back first
    np.testing.assert_array_equal(generated, _greedy_by_recomputing(model, PROMPT, 6))
    # A one-token prompt has nothing to fill the cache with.
    np.testing.assert_array_equal(model.generate(PROMPT[:, :1], 4), _greedy_by_recomputing(model, PROMPT[:, :1], 4))


def test_a_row_pads_after_its_end_token(model):
    free = model.generate(PROMPT, max_new_tokens=6)
    end = int(free[0, 4])  # one of row 0's first new tokens
    first = 3 + int(np.flatnonzero(free[0, 3:] == end)[0])
    stopped = model.generate(PROMPT, max_new_tokens=6, end_token_id=end)
    np.testing.assert_array_equal(stopped, _greedy_by_recomputing(model, PROMPT, 6, end=end))
    assert stopped[0, first] == end and (stopped[0, first + 1:] == 0).all() and first < 8


def _log_prob(model, ids, start):
    logits = _logits(model, ids).astype("float64")
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    return sum(log_probs[:, t - 1][np.arange(len(ids)), ids[:, t]] for t in range(start, ids.shape[1]))


def test_beam_search_finds_continuations_at_least_as_likely_as_greedy(model):
    greedy = model.generate(PROMPT, max_new_tokens=4)
    beams = model.generate(PROMPT, max_new_tokens=4, num_beams=4)
    np.testing.assert_array_equal(beams[:, :3], PROMPT)
    assert np.all(_log_prob(model, beams, 3) >= _log_prob(model, greedy, 3) - 1e-4)


def test_a_beam_as_wide_as_the_vocabulary_finds_the_most_likely_two_tokens(model):
    # 22 beams keep every first token, so the search over two tokens is exhaustive.
    tokens = np.arange(1, VOCABULARY)
    pairs = np.stack(np.meshgrid(tokens, tokens, indexing="ij"), -1).reshape(-1, 2)  # (484, 2)
    beams = model.generate(PROMPT, max_new_tokens=2, num_beams=VOCABULARY - 1)
    for row, prompt in enumerate(PROMPT):
        candidates = np.concatenate([np.repeat(prompt[None], len(pairs), 0), pairs], axis=1).astype("int32")
        best = candidates[np.argmax(_log_prob(model, candidates, 3))]
        np.testing.assert_array_equal(beams[row], best)


def test_sampling_is_seeded_and_top_k_1_is_greedy(model):
    first = model.generate(PROMPT, 6, do_sample=True, temperature=1.5, seed=3)
    np.testing.assert_array_equal(first, model.generate(PROMPT, 6, do_sample=True, temperature=1.5, seed=3))
    assert np.any(first != model.generate(PROMPT, 6, do_sample=True, temperature=1.5, seed=4))
    np.testing.assert_array_equal(model.generate(PROMPT, 6, do_sample=True, top_k=1, seed=5),
                                  model.generate(PROMPT, 6))


def test_model_checks(tmp_path):
    def make(**kwargs):
        lm = CausalLM(tiny_decoder(**kwargs), padding_token_id=0)
        lm.compile(optimizer=keras.optimizers.SGD(0.1),
                   loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        return lm

    ids = np.random.default_rng(0).integers(1, VOCABULARY, size=(2, 6)).astype("int32")
    check_model(make, ids, str(tmp_path), fit_data=(ids[:, :-1], ids[:, 1:]))


@pytest.mark.parametrize("call, message", [
    (lambda m: m.generate(np.array([[3, VOCABULARY]]), 2), rf"prompt_ids.*\[0, {VOCABULARY}\)"),
    (lambda m: m.generate(np.array([3, 4]), 2), r"`prompt_ids` must be \(batch, length >= 1\).*shape \(2,\)"),
    (lambda m: m.generate(PROMPT, 0), r"`max_new_tokens` must be an int >= 1. Received: max_new_tokens=0"),
    (lambda m: m.generate(PROMPT, 2, end_token_id=0), r"Token id 0 is padding"),
    (lambda m: m.generate(PROMPT, 2, do_sample=True, top_p=0.0), r"`top_p` must be None or in \(0, 1\]"),
    (lambda m: m(np.array([[1.5, 2.0]])), r"token_ids"),
])
def test_bad_input_is_one_clear_error(model, call, message):
    with pytest.raises(ValueError, match=message):
        call(model)


def test_a_backbone_without_a_cache_is_refused():
    plain = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(5, 4)])
    with pytest.raises(ValueError, match="needs a causal backbone .* without `token_embedding`"):
        CausalLM(plain)
