"""keras_zoo.generation over a callback: greedy, beam and sampling compared
with plain-numpy references on a toy language model (a Markov chain: the
logits of the next token depend on the current one), and the Transformer's
sampling on top of it."""

import itertools

import numpy as np
import pytest
from keras import ops

import keras_zoo
from keras_zoo.generation import beam_search
from keras_zoo.generation import greedy_search
from keras_zoo.generation import sample
from keras_zoo.generation import sampling_distribution
from keras_zoo.generation.tokens import start_ids

VOCABULARY, START, END = 6, 1, 2
TABLE = np.random.default_rng(0).normal(scale=2.0, size=(VOCABULARY, VOCABULARY)).astype("float32")


def markov(ids, index, cache):
    """A decoder-only toy: logits of the token after `index` from TABLE[ids[:, index]]."""
    current = ops.take(ids, index, axis=1)
    return ops.take(ops.convert_to_tensor(TABLE), current, axis=0), cache + 1  # the cache counts steps


def _numpy(x):
    return np.asarray(ops.convert_to_numpy(x))


def _reference_distribution(logits, temperature, top_k, top_p):
    """Hugging Face's order: temperature, top-k, top-p (keeping the top token); padding excluded."""
    logits = logits.astype("float64").copy()
    logits[:, 0] = -np.inf
    logits /= temperature
    out = np.zeros_like(logits)
    for row, values in enumerate(logits):
        order = np.argsort(-values, kind="stable")
        keep = np.ones(len(values), bool)
        if top_k is not None:
            keep[top_k:] = False
        if top_p is not None:
            p = np.exp(values[order] - values[order][0]) * keep
            p /= p.sum()
            keep &= (np.cumsum(p) - p < top_p) | (np.arange(len(p)) == 0)
        kept = order[keep]
        e = np.exp(values[kept] - values[kept].max())
        out[row, kept] = e / e.sum()
    return out


@pytest.mark.parametrize("temperature, top_k, top_p", [(1.0, None, None), (0.7, 3, None), (1.3, None, 0.6),
                                                       (1.0, 4, 0.8), (1.0, 1, None)])
def test_the_sampling_distribution_is_hugging_faces_filtering(temperature, top_k, top_p):
    logits = np.random.default_rng(1).normal(scale=2.0, size=(5, 9)).astype("float32")
    ours = _numpy(sampling_distribution(logits, temperature, top_k, top_p))
    np.testing.assert_allclose(ours, _reference_distribution(logits, temperature, top_k, top_p), atol=1e-6)
    assert np.all(ours[:, 0] == 0.0)  # never padding


def _reference_run(choose, batch, length):
    ids = np.zeros((batch, length), "int32")
    ids[:, 0] = START
    finished = np.zeros(batch, bool)
    for index in range(length - 1):
        tokens = np.where(finished, 0, choose(TABLE[ids[:, index]], index))
        ids[:, index + 1] = tokens
        finished |= tokens == END
        if finished.all():
            break
    return ids


def test_greedy_search_follows_the_argmax_and_pads_after_the_end():
    ids = greedy_search(markov, start_ids(3, 7, START), ops.zeros(()), END)
    expected = _reference_run(lambda logits, _: 1 + np.argmax(logits[:, 1:], axis=-1), 3, 7)
    np.testing.assert_array_equal(_numpy(ids), expected)


def test_sampling_takes_the_inverse_cdf_of_the_noise_token_for_token():
    batch, length = 64, 8
    noise = np.random.default_rng(2).uniform(size=(length, batch)).astype("float32")
    ids = sample(markov, start_ids(batch, length, START), ops.zeros(()), END, noise, 0.9, 4, 0.9)

    def choose(logits, index):
        p = _reference_distribution(logits, 0.9, 4, 0.9)
        return np.array([np.searchsorted(np.cumsum(row), u * row.sum(), side="right") for row, u in zip(p, noise[index])])

    np.testing.assert_array_equal(_numpy(ids), _reference_run(choose, batch, length))


def test_top_k_1_sampling_is_greedy():
    noise = np.random.default_rng(3).uniform(size=(7, 4)).astype("float32")
    sampled = sample(markov, start_ids(4, 7, START), ops.zeros(()), END, noise, top_k=1)
    greedy = greedy_search(markov, start_ids(4, 7, START), ops.zeros(()), END)
    np.testing.assert_array_equal(_numpy(sampled), _numpy(greedy))


def test_sampled_frequencies_match_the_distribution():
    rows = 20000
    noise = np.random.default_rng(4).uniform(size=(2, rows)).astype("float32")
    ids = _numpy(sample(markov, start_ids(rows, 2, START), ops.zeros(()), END, noise, 1.0, None, 0.95))
    expected = _reference_distribution(TABLE[[START]], 1.0, None, 0.95)[0]
    frequencies = np.bincount(ids[:, 1], minlength=VOCABULARY) / rows
    np.testing.assert_allclose(frequencies, expected, atol=0.015)  # > 5 standard errors at 20000 draws


def _best_by_enumeration(length, alpha):
    log_p = TABLE - np.log(np.exp(TABLE).sum(axis=1, keepdims=True))
    best, best_score = None, -np.inf
    for steps in range(1, length):
        for tokens in itertools.product(range(1, VOCABULARY), repeat=steps):
            if END in tokens[:-1] or (steps < length - 1 and tokens[-1] != END):
                continue
            sequence = (START,) + tokens
            score = sum(log_p[a, b] for a, b in zip(sequence, sequence[1:])) / ((5 + steps) / 6) ** alpha
            if score > best_score:
                best, best_score = sequence, score
    return best


def test_wide_beam_search_is_exact_on_the_toy_model():
    """With as many beams as hypotheses, the answer is the best sequence by
    log P / ((5 + length) / 6)^alpha over every sequence, found by enumeration;
    on this toy the length penalty changes the answer (alpha 0: stop at once)."""
    length = 5
    beams = (VOCABULARY - 1) ** (length - 1)
    answers = {alpha: _best_by_enumeration(length, alpha) for alpha in (0.0, 0.6)}
    assert answers[0.0] != answers[0.6]
    for alpha, best in answers.items():
        ids = beam_search(markov, start_ids(beams, length, START), ops.zeros((beams,)), END, beams, VOCABULARY, alpha)
        assert tuple(_numpy(ids)[0, : len(best)]) == best, alpha


def test_transformer_sampling_is_seeded_and_top_k_1_is_its_greedy():
    model = keras_zoo.create_model("transformer_tiny", vocabulary_size=12, num_layers=1, hidden_dim=8,
                                   intermediate_dim=16, num_heads=2, seed=0)
    source = np.random.default_rng(5).integers(3, 12, size=(6, 5)).astype("int32")
    first = model.generate(source, 8, 1, 2, do_sample=True, temperature=2.0, seed=7)
    again = model.generate(source, 8, 1, 2, do_sample=True, temperature=2.0, seed=7)
    other = model.generate(source, 8, 1, 2, do_sample=True, temperature=2.0, seed=8)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    np.testing.assert_array_equal(model.generate(source, 8, 1, 2, do_sample=True, top_k=1, seed=0),
                                  model.generate(source, 8, 1, 2))
    with pytest.raises(ValueError, match=r"`top_p` must be None or in \(0, 1\]. Received: top_p=1.5"):
        model.generate(source, 8, 1, 2, do_sample=True, top_p=1.5)
