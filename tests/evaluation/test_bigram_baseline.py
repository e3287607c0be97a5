"""The add-one bigram baseline on counts small enough to do by hand."""

import math

import numpy as np

from keras_zoo.evaluation.bigram_baseline import bigram_log_likelihood
from keras_zoo.evaluation.bigram_baseline import bigram_perplexity


def test_add_one_bigram_probabilities_are_counted_by_hand():
    # Training pairs: (0,1) x2, (1,0) x1, (1,2) x1; V = 3. c(0) = 2, c(1) = 2 as a first token.
    train = np.array([0, 1, 0, 1, 2])
    inputs, targets = np.array([[0, 1], [2, 1]]), np.array([[1, 2], [0, 1]])
    expected = [(2 + 1) / (2 + 3), (1 + 1) / (2 + 3), (0 + 1) / (0 + 3), (0 + 1) / (2 + 3)]
    total, count = bigram_log_likelihood(train, inputs, targets, vocabulary_size=3)
    assert count == 4 and math.isclose(total, sum(math.log(p) for p in expected), rel_tol=1e-12)
    assert math.isclose(bigram_perplexity(train, inputs, targets, 3), math.exp(-total / 4), rel_tol=1e-12)


def test_a_large_vocabulary_needs_no_square_table():
    rng = np.random.default_rng(0)
    train = rng.integers(0, 50257, 10000)
    perplexity = bigram_perplexity(train, train[None, :-1], train[None, 1:], vocabulary_size=50257)
    assert 1 < perplexity < 50257  # the training pairs themselves: better than uniform
