"""An acceptability task made from any text (a CoLA-like judgement, no
labels needed): each encoder window is kept as written (label 1) or has a
share of its word pieces replaced by pieces drawn from the text's own
unigram distribution (label 0), half and half. The replacements are
plausible pieces in implausible places, so a model must read the context
to tell: what masked-LM pretraining teaches.

    token_ids, labels = corrupted_windows(windows, counts, special_ids, pad_id, rate=0.15, seed=0)
"""

import numpy as np


def corrupted_windows(windows, unigram_counts, special_token_ids, padding_token_id, rate=0.15, seed=0):
    """(token_ids int32 (N, T), labels int32 (N,)): a seeded half of the
    rows corrupted, each of their real, non-special pieces replaced with
    probability `rate` (at least one per row) by a unigram draw."""
    if not 0 < rate <= 1:
        raise ValueError(f"`rate` must be in (0, 1]. Received: rate={rate}")
    windows = np.asarray(windows, dtype="int32")
    rng = np.random.default_rng(seed)
    counts = np.asarray(unigram_counts, dtype="float64").copy()
    counts[list(special_token_ids)] = 0
    if counts.sum() <= 0:
        raise ValueError("The unigram counts hold no piece besides the special tokens.")
    labels = np.ones(len(windows), dtype="int32")
    labels[rng.permutation(len(windows))[: len(windows) // 2]] = 0
    special = np.isin(windows, list(special_token_ids) + [padding_token_id])
    token_ids = windows.copy()
    for row in np.flatnonzero(labels == 0):
        candidates = np.flatnonzero(~special[row])
        if not len(candidates):
            continue
        chosen = candidates[rng.random(len(candidates)) < rate]
        if not len(chosen):
            chosen = rng.choice(candidates, 1)
        token_ids[row, chosen] = rng.choice(len(counts), len(chosen), p=counts / counts.sum())
    return token_ids, labels
