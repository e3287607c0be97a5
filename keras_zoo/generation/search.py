"""Greedy and beam search over `next_logits(ids, index, cache) -> (logits, cache)`
(see the package docstring)."""

import keras
from keras import ops

from keras_zoo.backend.jit_compile import host_callback
from keras_zoo.backend.jit_compile import while_loop
from keras_zoo.generation.tokens import NEVER
from keras_zoo.generation.tokens import PADDING_ID
from keras_zoo.generation.tokens import filler_id
from keras_zoo.generation.tokens import forbid_padding
from keras_zoo.generation.tokens import write_token


def _not_done(max_length):
    def cond(index, ids, cache, finished, *rest):
        return ops.logical_and(index < max_length - 1, ops.logical_not(ops.all(finished)))

    return cond


def greedy_search(next_logits, ids, cache, end_token_id, start_index=0, padding_id=PADDING_ID, on_token=None):
    """Extends each row of `ids` (B, L), written up to column `start_index`,
    by its most likely token (never `padding_id`) until the end token or
    column L - 1; a finished row pads (`tokens.filler_id`). Returns the ids
    (B, L). `on_token(tokens (B,), column)` is called on the host as each
    column is written (streaming)."""
    max_length = ops.shape(ids)[1]
    filler = filler_id(padding_id, end_token_id)

    def body(index, ids, cache, finished):
        logits, cache = next_logits(ids, index, cache)  # (B, V)
        tokens = ops.cast(ops.argmax(forbid_padding(logits, padding_id), axis=-1), "int32")  # (B,)
        tokens = ops.where(finished, filler, tokens)
        ids = write_token(ids, index + 1, tokens)
        if on_token is not None:
            host_callback(on_token, tokens, index + 1)
        return index + 1, ids, cache, ops.logical_or(finished, tokens == end_token_id)

    state = (ops.convert_to_tensor(start_index, "int32"), ids, cache, ops.zeros((ops.shape(ids)[0],), "bool"))
    return while_loop(_not_done(max_length), body, state)[1]


def length_penalty_of(lengths, alpha):
    """((5 + |Y|) / 6)^alpha, Wu et al. (2016), eq. 14."""
    return ops.power((5.0 + ops.cast(lengths, "float32")) / 6.0, alpha)


def beam_search(next_logits, ids, cache, end_token_id, num_beams, vocabulary_size, length_penalty=0.6,
                start_index=0, padding_id=PADDING_ID):
    """Beam search; returns the best hypothesis per row, (B, L).

    `ids` (B*K, L) and `cache` hold K copies of each row (row b*K + k);
    hypotheses are ranked by log P / ((5 + length) / 6)^length_penalty,
    length counting generated tokens up to and including the end token. A
    finished hypothesis stays in the beam, extended only by padding at no
    cost, so it competes with the live ones until the loop ends. The cache's
    rows follow their hypotheses (`cache` batch-first, or a nest of such).
    """
    flat_size, max_length = ops.shape(ids)[0], ops.shape(ids)[1]
    beams = num_beams
    batch_size = flat_size // beams
    padding_only = ops.where(ops.arange(vocabulary_size) == filler_id(padding_id, end_token_id), 0.0, NEVER)  # (V,)
    # Only beam 0 is live at first, so the K beams do not start as copies.
    first_scores = ops.where(ops.arange(beams) == 0, 0.0, NEVER)
    log_probs = ops.tile(ops.expand_dims(first_scores, 0), (batch_size, 1))  # (B, K)

    def body(index, ids, cache, finished, log_probs, lengths):
        logits, cache = next_logits(ids, index, cache)
        step = ops.reshape(ops.log_softmax(logits, axis=-1), (batch_size, beams, vocabulary_size))
        # Live beams may not emit padding; finished ones emit only padding.
        step = ops.where(finished[..., None], padding_only, forbid_padding(step, padding_id))  # (B, K, V)
        totals = log_probs[..., None] + step
        new_lengths = ops.where(finished, lengths, index + 1 - start_index)  # (B, K)
        scores = totals / length_penalty_of(new_lengths, length_penalty)[..., None]
        _, choice = ops.top_k(ops.reshape(scores, (batch_size, beams * vocabulary_size)), beams)
        parent = choice // vocabulary_size  # (B, K) beam each winner extends
        tokens = ops.cast(choice % vocabulary_size, "int32")
        log_probs = ops.take_along_axis(ops.reshape(totals, (batch_size, -1)), choice, axis=1)
        rows = ops.reshape(ops.arange(batch_size)[:, None] * beams + parent, (flat_size,))
        ids = write_token(ops.take(ids, rows, axis=0), index + 1, ops.reshape(tokens, (-1,)))
        cache = keras.tree.map_structure(lambda part: ops.take(part, rows, axis=0), cache)
        finished = ops.take_along_axis(finished, parent, axis=1)
        lengths = ops.take_along_axis(new_lengths, parent, axis=1)
        finished = ops.logical_or(finished, tokens == end_token_id)
        return index + 1, ids, cache, finished, log_probs, lengths

    state = (ops.convert_to_tensor(start_index, "int32"), ids, cache, ops.zeros((batch_size, beams), "bool"),
             log_probs, ops.zeros((batch_size, beams), "int32"))
    _, ids, _, _, log_probs, lengths = while_loop(_not_done(max_length), body, state)
    best = ops.argmax(log_probs / length_penalty_of(lengths, length_penalty), axis=1)  # (B,)
    ids = ops.reshape(ids, (batch_size, beams, max_length))
    return ops.take_along_axis(ids, ops.reshape(best, (batch_size, 1, 1)), axis=1)[:, 0]
