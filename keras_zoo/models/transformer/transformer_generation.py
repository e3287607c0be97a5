"""Greedy and beam-search decoding for `Transformer.generate`, in keras.ops
over fixed shapes so that the loop compiles on JAX and TensorFlow."""

import keras
from keras import ops

from keras_zoo.backend.jit_compile import jit_compile

_NEVER = -1e9  # log-probability of a forbidden choice (finite: no NaN)


def _token_at(ids, index):  # (B, L) -> (B, 1), `index` may be traced
    return ops.slice(ids, (0, index), (ops.shape(ids)[0], 1))


def _write_token(ids, index, tokens):  # tokens (B,) at column `index`
    return ops.slice_update(ids, (0, index), ops.expand_dims(ops.cast(tokens, ids.dtype), 1))


def _step_logits(model, ids, index, encoder_output, source_mask, cache):
    """Float32 logits (B, V) of the token after position `index`."""
    if cache is None:  # recompute the whole (causal) prefix
        logits = model.decode(ids, encoder_output, source_mask)  # (B, L, V)
        return ops.take(logits, index, axis=1), None
    logits, cache = model.decode(_token_at(ids, index), encoder_output, source_mask,
                                 cache=cache, cache_index=index)
    return logits[:, 0], cache


def _forbid_padding(logits):
    """Padding (id 0) is never generated: its logit becomes _NEVER."""
    return ops.where(ops.arange(ops.shape(logits)[-1]) == 0, _NEVER, logits)


def _start_ids(batch_size, max_length, start_token_id):
    ids = ops.zeros((batch_size, max_length), dtype="int32")
    return _write_token(ids, 0, ops.full((batch_size,), start_token_id, dtype="int32"))


def greedy_search(model, source_ids, max_length, start_token_id, end_token_id, use_cache=True):
    """(B, S) -> (B, max_length) ids, start token first, 0 after the end."""
    batch_size = ops.shape(source_ids)[0]
    encoder_output = model.encode(source_ids)  # once: (B, S, d)
    source_mask = ops.not_equal(source_ids, 0)

    def cond(index, ids, cache, finished):
        return ops.logical_and(index < max_length - 1, ops.logical_not(ops.all(finished)))

    def body(index, ids, cache, finished):
        logits, new_cache = _step_logits(model, ids, index, encoder_output, source_mask,
                                         cache if use_cache else None)
        tokens = ops.cast(ops.argmax(_forbid_padding(logits), axis=-1), "int32")  # (B,)
        tokens = ops.where(finished, 0, tokens)  # finished rows emit padding
        ids = _write_token(ids, index + 1, tokens)
        finished = ops.logical_or(finished, tokens == end_token_id)
        return index + 1, ids, new_cache if use_cache else cache, finished

    # Without a cache the loop carries a scalar placeholder in its place.
    cache = model.empty_cache(batch_size, max_length) if use_cache else ops.zeros(())
    state = (ops.convert_to_tensor(0, "int32"), _start_ids(batch_size, max_length, start_token_id),
             cache, ops.zeros((batch_size,), "bool"))
    return ops.while_loop(cond, body, state)[1]


def _length_penalty(lengths, alpha):
    """((5 + |Y|) / 6)^alpha, Wu et al. (2016), eq. 14."""
    return ops.power((5.0 + ops.cast(lengths, "float32")) / 6.0, alpha)


def beam_search(model, source_ids, max_length, start_token_id, end_token_id, num_beams,
                length_penalty=0.6):
    """Beam search; returns the best hypothesis per row, (B, max_length).

    Hypotheses are ranked by log P / ((5 + length) / 6)^length_penalty,
    length counting generated tokens up to and including the end token. A
    finished hypothesis stays in the beam, extended only by padding at no
    cost, so it competes with the live ones until the loop ends.
    """
    batch_size = ops.shape(source_ids)[0]
    beams = num_beams
    flat_size = batch_size * beams
    source = ops.repeat(source_ids, beams, axis=0)  # (B*K, S), row b*K + k
    encoder_output = model.encode(source)
    source_mask = ops.not_equal(source, 0)
    vocabulary = model.target_vocabulary_size or model.vocabulary_size
    padding_only = ops.where(ops.arange(vocabulary) == 0, 0.0, _NEVER)  # (V,)
    # Only beam 0 is live at first, so the K beams do not start as copies.
    first_scores = ops.where(ops.arange(beams) == 0, 0.0, _NEVER)
    log_probs = ops.tile(ops.expand_dims(first_scores, 0), (batch_size, 1))  # (B, K)

    def cond(index, ids, cache, log_probs, finished, lengths):
        return ops.logical_and(index < max_length - 1, ops.logical_not(ops.all(finished)))

    def body(index, ids, cache, log_probs, finished, lengths):
        logits, cache = _step_logits(model, ids, index, encoder_output, source_mask, cache)
        step = ops.reshape(ops.log_softmax(logits, axis=-1), (batch_size, beams, vocabulary))
        # Live beams may not emit padding; finished ones emit only padding.
        step = ops.where(finished[..., None], padding_only, _forbid_padding(step))  # (B, K, V)
        totals = log_probs[..., None] + step
        new_lengths = ops.where(finished, lengths, index + 1)  # (B, K)
        scores = totals / _length_penalty(new_lengths, length_penalty)[..., None]
        _, choice = ops.top_k(ops.reshape(scores, (batch_size, beams * vocabulary)), beams)
        parent = choice // vocabulary  # (B, K) beam each winner extends
        tokens = ops.cast(choice % vocabulary, "int32")
        log_probs = ops.take_along_axis(ops.reshape(totals, (batch_size, -1)), choice, axis=1)
        rows = ops.reshape(ops.arange(batch_size)[:, None] * beams + parent, (flat_size,))
        ids = _write_token(ops.take(ids, rows, axis=0), index + 1, ops.reshape(tokens, (-1,)))
        cache = ops.take(cache, rows, axis=0)
        finished = ops.take_along_axis(finished, parent, axis=1)
        lengths = ops.take_along_axis(new_lengths, parent, axis=1)
        finished = ops.logical_or(finished, tokens == end_token_id)
        return index + 1, ids, cache, log_probs, finished, lengths

    state = (
        ops.convert_to_tensor(0, "int32"),
        _start_ids(flat_size, max_length, start_token_id),
        model.empty_cache(flat_size, max_length),
        log_probs,
        ops.zeros((batch_size, beams), "bool"),
        ops.zeros((batch_size, beams), "int32"),
    )
    _, ids, _, log_probs, _, lengths = ops.while_loop(cond, body, state)
    best = ops.argmax(log_probs / _length_penalty(lengths, length_penalty), axis=1)  # (B,)
    ids = ops.reshape(ids, (batch_size, beams, max_length))
    return ops.take_along_axis(ids, ops.reshape(best, (batch_size, 1, 1)), axis=1)[:, 0]


def validate_generation_args(max_length, start_token_id, end_token_id, num_beams):
    if not isinstance(max_length, int) or max_length < 2:
        raise ValueError(f"`max_length` must be an int >= 2. Received: max_length={max_length}")
    if not isinstance(num_beams, int) or num_beams < 1:
        raise ValueError(f"`num_beams` must be a positive int. Received: num_beams={num_beams}")
    if start_token_id == 0 or end_token_id == 0:
        raise ValueError(
            "Token id 0 is padding; start and end tokens need other ids. Received: "
            f"start_token_id={start_token_id}, end_token_id={end_token_id}"
        )


def generate(model, source_ids, max_length, start_token_id, end_token_id, num_beams=1,
             length_penalty=0.6, use_cache=True):
    """See `Transformer.generate`. Compiled functions are kept per argument
    set on the model, so repeated calls do not retrace."""
    validate_generation_args(max_length, start_token_id, end_token_id, num_beams)
    key = (max_length, start_token_id, end_token_id, num_beams, float(length_penalty), use_cache)
    compiled = model.__dict__.setdefault("_generate_functions", {})
    if key not in compiled:
        if num_beams == 1:
            def search(source):
                return greedy_search(model, source, max_length, start_token_id, end_token_id,
                                     use_cache=use_cache)
        else:
            if not use_cache:
                raise ValueError("Beam search always uses the cache. Received: use_cache=False")

            def search(source):
                return beam_search(model, source, max_length, start_token_id, end_token_id,
                                   num_beams, length_penalty)
        compiled[key] = jit_compile(search, model.variables)
    source = ops.convert_to_tensor(keras.ops.convert_to_numpy(source_ids).astype("int32"))
    return keras.ops.convert_to_numpy(compiled[key](source))
