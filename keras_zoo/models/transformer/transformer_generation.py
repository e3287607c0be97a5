"""`Transformer.generate`: greedy, beam search and sampling from
`keras_zoo.generation`, over the Transformer's `next_logits` callback; the
loops are keras.ops over fixed shapes so they compile on JAX and TensorFlow."""

import keras
import numpy as np
from keras import ops

from keras_zoo.backend.jit_compile import jit_compile
from keras_zoo.generation import sampling
from keras_zoo.generation import search
from keras_zoo.generation.tokens import start_ids
from keras_zoo.generation.tokens import token_at


def next_logits_fn(model, encoder_output, source_mask, use_cache=True):
    """The Transformer's `next_logits(ids, index, cache)` for keras_zoo.generation:
    the decoder over the encoder output computed once; with the cache, one
    token per step, else the whole (causal) prefix again."""

    def next_logits(ids, index, cache):
        if not use_cache:
            logits = model.decode(ids, encoder_output, source_mask)  # (B, L, V)
            return ops.take(logits, index, axis=1), cache
        logits, cache = model.decode(token_at(ids, index), encoder_output, source_mask,
                                     cache=cache, cache_index=index)
        return logits[:, 0], cache

    return next_logits


def _prepared(model, source_ids, max_length, start_token_id, copies=1, use_cache=True):
    """(next_logits, ids, cache) for `copies` hypotheses per source row."""
    source = source_ids if copies == 1 else ops.repeat(source_ids, copies, axis=0)  # row b*K + k
    encoder_output = model.encode(source)  # once: (B*K, S, d)
    rows = ops.shape(source)[0]
    # Without a cache the loop carries a scalar placeholder in its place.
    cache = model.empty_cache(rows, max_length) if use_cache else ops.zeros(())
    return (next_logits_fn(model, encoder_output, ops.not_equal(source, 0), use_cache),
            start_ids(rows, max_length, start_token_id), cache)


def greedy_search(model, source_ids, max_length, start_token_id, end_token_id, use_cache=True):
    """(B, S) -> (B, max_length) ids, start token first, 0 after the end."""
    next_logits, ids, cache = _prepared(model, source_ids, max_length, start_token_id, use_cache=use_cache)
    return search.greedy_search(next_logits, ids, cache, end_token_id)


def beam_search(model, source_ids, max_length, start_token_id, end_token_id, num_beams,
                length_penalty=0.6):
    """Beam search (`keras_zoo.generation.beam_search`); the best
    hypothesis per row, (B, max_length)."""
    next_logits, ids, cache = _prepared(model, source_ids, max_length, start_token_id, copies=num_beams)
    vocabulary = model.target_vocabulary_size or model.vocabulary_size
    return search.beam_search(next_logits, ids, cache, end_token_id, num_beams, vocabulary, length_penalty)


def sample_search(model, source_ids, noise, max_length, start_token_id, end_token_id, temperature=1.0,
                  top_k=None, top_p=None):
    """Sampled translations (`keras_zoo.generation.sample`), (B, max_length)."""
    next_logits, ids, cache = _prepared(model, source_ids, max_length, start_token_id)
    return sampling.sample(next_logits, ids, cache, end_token_id, noise, temperature, top_k, top_p)


def validate_generation_args(max_length, start_token_id, end_token_id, num_beams, do_sample=False,
                             temperature=1.0, top_k=None, top_p=None):
    if do_sample:
        if num_beams != 1:
            raise ValueError(f"Sampling draws one sequence per row: pass num_beams=1. Received: num_beams={num_beams}")
        if not temperature > 0:
            raise ValueError(f"`temperature` must be > 0. Received: temperature={temperature}")
        if top_k is not None and (not isinstance(top_k, int) or top_k < 1):
            raise ValueError(f"`top_k` must be None or an int >= 1. Received: top_k={top_k}")
        if top_p is not None and not 0.0 < top_p <= 1.0:
            raise ValueError(f"`top_p` must be None or in (0, 1]. Received: top_p={top_p}")
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
             length_penalty=0.6, use_cache=True, do_sample=False, temperature=1.0, top_k=None, top_p=None,
             seed=None):
    """See `Transformer.generate`. Compiled functions are kept per argument
    set on the model, so repeated calls do not retrace."""
    validate_generation_args(max_length, start_token_id, end_token_id, num_beams, do_sample, temperature,
                             top_k, top_p)
    source = ops.convert_to_tensor(keras.ops.convert_to_numpy(source_ids).astype("int32"))
    compiled = model.__dict__.setdefault("_generate_functions", {})
    if do_sample:
        key = ("sample", max_length, start_token_id, end_token_id, float(temperature), top_k, top_p)
        if key not in compiled:
            def draw(source, noise):
                return sample_search(model, source, noise, max_length, start_token_id, end_token_id,
                                     temperature, top_k, top_p)
            compiled[key] = jit_compile(draw, model.variables)
        # Drawn here, not in the loop: a seed gives the same uniforms on every backend.
        noise = np.random.default_rng(seed).uniform(size=(max_length, int(source.shape[0]))).astype("float32")
        return keras.ops.convert_to_numpy(compiled[key](source, ops.convert_to_tensor(noise)))
    key = (max_length, start_token_id, end_token_id, num_beams, float(length_penalty), use_cache)
    if key not in compiled:
        if num_beams == 1:
            def search_fn(source):
                return greedy_search(model, source, max_length, start_token_id, end_token_id,
                                     use_cache=use_cache)
        else:
            if not use_cache:
                raise ValueError("Beam search always uses the cache. Received: use_cache=False")

            def search_fn(source):
                return beam_search(model, source, max_length, start_token_id, end_token_id,
                                   num_beams, length_penalty)
        compiled[key] = jit_compile(search_fn, model.variables)
    return keras.ops.convert_to_numpy(compiled[key](source))
