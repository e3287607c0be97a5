"""The baseline a language model must beat: an add-one (Laplace) smoothed
bigram model of the same tokens, P(y | x) = (c(x, y) + 1) / (c(x) + V),
counted on the training stream (Jurafsky & Martin, ch. 3.5). Counts are
kept sparse, so GPT-2's 50,257-token vocabulary costs no V x V table."""

import numpy as np


def bigram_log_likelihood(train_stream, inputs, targets, vocabulary_size):
    """The summed natural-log probability of every `targets[n, t]` after
    `inputs[n, t]` (int arrays of one shape) under the smoothed bigram
    counts of `train_stream`; returns (total log-likelihood, token count)."""
    train_stream = np.asarray(train_stream, dtype="int64")
    codes, pair_counts = np.unique(train_stream[:-1] * vocabulary_size + train_stream[1:], return_counts=True)
    first_counts = np.bincount(train_stream[:-1], minlength=vocabulary_size)
    previous = np.asarray(inputs, dtype="int64").ravel()
    following = np.asarray(targets, dtype="int64").ravel()
    wanted = previous * vocabulary_size + following
    found = np.searchsorted(codes, wanted).clip(max=len(codes) - 1)
    counts = np.where(codes[found] == wanted, pair_counts[found], 0)
    log_probabilities = np.log(counts + 1.0) - np.log(first_counts[previous] + float(vocabulary_size))
    return float(log_probabilities.sum()), int(previous.size)


def bigram_perplexity(train_stream, inputs, targets, vocabulary_size):
    total, count = bigram_log_likelihood(train_stream, inputs, targets, vocabulary_size)
    return float(np.exp(-total / count))
