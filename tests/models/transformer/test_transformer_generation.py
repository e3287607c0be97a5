import keras
import numpy as np
import pytest

from keras_zoo.models.transformer import Transformer

VOCABULARY, START, MAX_LENGTH = 19, 1, 9


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(2)
    # Larger-than-default embeddings make a random model's choices vary
    # from step to step, so that the comparisons below mean something.
    return Transformer(vocabulary_size=VOCABULARY, num_layers=2, hidden_dim=16,
                       intermediate_dim=32, num_heads=4, seed=0)


@pytest.fixture(scope="module")
def source():
    rng = np.random.default_rng(0)
    ids = rng.integers(3, VOCABULARY, size=(4, 6)).astype("int32")
    ids[1, -2:] = 0
    ids[3, -4:] = 0
    return ids


def _never_emitted(model, source):
    """Greedy output with an end token the model never picks, and that token."""
    for end in range(VOCABULARY - 1, 1, -1):
        ids = model.generate(source, MAX_LENGTH, START, end)
        if not np.any(ids[:, 1:] == end):
            return ids, end
    raise AssertionError("every token was emitted")


def test_greedy_starts_with_the_start_token_and_follows_the_argmax(model, source):
    ids, _ = _never_emitted(model, source)
    assert ids.shape == (4, MAX_LENGTH) and ids.dtype == np.int32
    assert np.all(ids[:, 0] == START)
    # Each token is the argmax of the full model's logits on the prefix,
    # padding (id 0) excluded.
    logits = keras.ops.convert_to_numpy(model({"source": source, "target": ids}))
    np.testing.assert_array_equal(ids[:, 1:], logits[:, :-1, 1:].argmax(-1) + 1)
    assert len(np.unique(ids[:, 1:])) > 2  # not a constant output


def test_cached_decoding_equals_recomputing_the_prefix(model, source):
    _, end = _never_emitted(model, source)
    np.testing.assert_array_equal(
        model.generate(source, MAX_LENGTH, START, end, use_cache=True),
        model.generate(source, MAX_LENGTH, START, end, use_cache=False))


def test_the_end_token_stops_only_its_own_sequence(model, source):
    free, _ = _never_emitted(model, source)
    end = int(free[0, 2])  # a token row 0 emits second
    stopped = model.generate(source, MAX_LENGTH, START, end)
    expected = free.copy()
    for row in expected:
        hits = np.flatnonzero(row[1:] == end)
        if hits.size:
            row[hits[0] + 2 :] = 0  # everything after the end token is padding
    np.testing.assert_array_equal(stopped, expected)
    assert np.any(expected[:, -1] != 0)  # some row went on to the end
    assert (stopped[0, 3:] == 0).all()


def test_beam_search_with_one_beam_equals_greedy(model, source):
    _, end = _never_emitted(model, source)
    np.testing.assert_array_equal(model.generate(source, MAX_LENGTH, START, end, num_beams=1),
                                  model.generate(source, MAX_LENGTH, START, end))
    # The beam loop itself with one beam (generate sends num_beams=1 to greedy search).
    from keras_zoo.generation.search import beam_search

    next_logits, ids, cache, start = model.generation_inputs(MAX_LENGTH, START)(keras.ops.convert_to_tensor(source), 1)
    ids = beam_search(next_logits, ids, cache, end, 1, model.output_vocabulary_size, start_index=start)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(ids),
                                  model.generate(source, MAX_LENGTH, START, end))


def _sequence_log_prob(model, source, ids):
    """Log P(ids[1:] | source) up to and including the end token."""
    logits = keras.ops.convert_to_numpy(model({"source": source, "target": ids}))
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    total = np.zeros(len(ids))
    for b, row in enumerate(ids):
        for t in range(1, len(row)):
            if row[t] == 0:
                break
            total[b] += log_probs[b, t - 1, row[t]]
    return total


def test_beam_search_finds_sequences_at_least_as_likely_as_greedy(model, source):
    _, end = _never_emitted(model, source)
    greedy = model.generate(source, MAX_LENGTH, START, end)
    beams = model.generate(source, MAX_LENGTH, START, end, num_beams=4, length_penalty=0.0)
    assert beams.shape == greedy.shape and np.all(beams[:, 0] == START)
    assert np.all(_sequence_log_prob(model, source, beams)
                  >= _sequence_log_prob(model, source, greedy) - 1e-4)


def test_wide_beam_search_over_two_tokens_is_exact(model, source):
    """With as many beams as tokens, two steps of beam search must find the
    most likely of all two-token outputs (or a lone end token)."""
    end = 2
    candidates = [(a, b) for a in range(1, VOCABULARY) if a != end for b in range(1, VOCABULARY)]
    candidates += [(end, 0)]
    found = model.generate(source, 3, START, end, num_beams=VOCABULARY, length_penalty=0.0)
    ids = np.array([(START,) + c for c in candidates], "int32")
    for row in range(len(source)):
        sources = np.repeat(source[row : row + 1], len(ids), axis=0)
        best = ids[np.argmax(_sequence_log_prob(model, sources, ids))]
        np.testing.assert_array_equal(found[row], best)


def test_beam_search_stops_at_the_end_token(model, source):
    free, _ = _never_emitted(model, source)
    end = int(free[0, 2])
    ids = model.generate(source, MAX_LENGTH, START, end, num_beams=3)
    for row in ids:
        hits = np.flatnonzero(row[1:] == end)  # after the start token
        if hits.size:
            assert np.all(row[hits[0] + 2 :] == 0)
    assert np.any(ids[:, 1:] == end)


def test_generation_is_compiled_on_jax_and_tensorflow(model, source):
    model.generate(source, MAX_LENGTH, START, 2)
    compiled = next(iter(model.__dict__["_generate_functions"].values()))
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        assert isinstance(compiled, tf.types.experimental.PolymorphicFunction)
    else:
        assert any(type(c.cell_contents).__name__ == "PjitFunction" for c in compiled.__closure__)


@pytest.mark.parametrize("bad", [{"max_length": 1}, {"num_beams": 0}, {"start_token_id": 0}])
def test_invalid_generation_arguments(model, source, bad):
    args = {"max_length": MAX_LENGTH, "start_token_id": START, "end_token_id": 2, **bad}
    with pytest.raises(ValueError, match="Received"):
        model.generate(source, **args)


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_generation_under_mixed_precision(model, source, policy):
    # JAX on CPU rejects fused float16 attention ("F16_F16_F32 is not
    # supported by dot_general"); the explicit float32-score path must run.
    half = Transformer(vocabulary_size=VOCABULARY, num_layers=2, hidden_dim=16,
                       intermediate_dim=32, num_heads=4, dtype=policy)
    half.set_weights(model.get_weights())
    _, end = _never_emitted(model, source)
    cached = half.generate(source, MAX_LENGTH, START, end)
    np.testing.assert_array_equal(cached, half.generate(source, MAX_LENGTH, START, end, use_cache=False))
    assert np.all(cached[:, 0] == START) and np.all(cached[:, 1:] > 0)
