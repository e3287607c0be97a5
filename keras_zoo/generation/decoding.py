"""The `generate` every language model shares: it checks the decoding
options, picks greedy search, beam search or sampling, compiles that loop
once per option set, and draws the sampling noise from the seed.

A model brings one function,

    prepare(inputs, copies) -> (next_logits, ids, cache, start_index)

its `next_logits` callback (see the package docstring), the (B*copies, L)
ids written up to column `start_index`, and the cache, with `copies`
hypotheses per input row (row b*K + k), as beam search needs them. An
encoder-decoder model encodes its source there; a decoder-only model
reads its prompt and fills its cache with it.
"""

import keras
import numpy as np

from keras_zoo.backend.jit_compile import jit_compile
from keras_zoo.generation.sampling import sample
from keras_zoo.generation.search import beam_search
from keras_zoo.generation.search import greedy_search
from keras_zoo.generation.tokens import PADDING_ID


def check_decoding_args(max_length, num_beams=1, do_sample=False, temperature=1.0, top_k=None, top_p=None,
                        min_length=2):
    """Clear errors for options no loop could run with."""
    if do_sample:
        if num_beams != 1:
            raise ValueError(f"Sampling draws one sequence per row: pass num_beams=1. Received: num_beams={num_beams}")
        if not temperature > 0:
            raise ValueError(f"`temperature` must be > 0. Received: temperature={temperature}")
        if top_k is not None and (not isinstance(top_k, int) or top_k < 1):
            raise ValueError(f"`top_k` must be None or an int >= 1. Received: top_k={top_k}")
        if top_p is not None and not 0.0 < top_p <= 1.0:
            raise ValueError(f"`top_p` must be None or in (0, 1]. Received: top_p={top_p}")
    if not isinstance(max_length, int) or max_length < min_length:
        raise ValueError(f"`max_length` must be an int >= {min_length}. Received: max_length={max_length}")
    if not isinstance(num_beams, int) or num_beams < 1:
        raise ValueError(f"`num_beams` must be a positive int. Received: num_beams={num_beams}")


def check_special_tokens(vocabulary_size, padding_id=PADDING_ID, **tokens):
    """Each of `tokens` (name=id) an int id inside the vocabulary, and not
    `padding_id` (None: every id is a token)."""
    for name, token in tokens.items():
        if not isinstance(token, (int, np.integer)) or not 0 <= token < vocabulary_size:
            raise ValueError(f"`{name}` must be an int in [0, {vocabulary_size}). Received: {name}={token!r}")
    if padding_id is not None and any(token == padding_id for token in tokens.values()):
        listed = ", ".join(f"{name}={token}" for name, token in tokens.items())
        raise ValueError(f"Token id {padding_id} is padding; special tokens need other ids. Received: {listed}")


def search_function(prepare, end_token_id, vocabulary_size, num_beams=1, length_penalty=0.6, do_sample=False,
                    temperature=1.0, top_k=None, top_p=None, padding_id=PADDING_ID, on_token=None):
    """`search(inputs, noise) -> ids (B, L)`, uncompiled: the loop the
    options name over `prepare`'s callback (`noise` (L, B) uniforms is read
    only when sampling)."""

    def search(inputs, noise=None):
        copies = num_beams if not do_sample else 1
        next_logits, ids, cache, start_index = prepare(inputs, copies)
        if do_sample:
            return sample(next_logits, ids, cache, end_token_id, noise, temperature, top_k, top_p, start_index,
                          padding_id, on_token)
        if num_beams == 1:
            return greedy_search(next_logits, ids, cache, end_token_id, start_index, padding_id, on_token)
        return beam_search(next_logits, ids, cache, end_token_id, num_beams, vocabulary_size, length_penalty,
                           start_index, padding_id)

    return search


def generate(model, prepare, inputs, rows, max_length, end_token_id, vocabulary_size, key=(), num_beams=1,
             length_penalty=0.6, do_sample=False, temperature=1.0, top_k=None, top_p=None, seed=None,
             padding_id=PADDING_ID, streamer=None):
    """Runs the search the options name and returns int32 numpy ids
    (rows, max_length). The compiled loop is kept on `model` under `key`
    (what `prepare` depends on) plus the options, so a repeated call does
    not retrace. `inputs` is a tensor or a tuple of them; `padding_id` is
    the id never generated (None: every id is a token). `streamer(tokens,
    column)` receives each column of new tokens (numpy (rows,)) as the
    compiled loop writes it (greedy search and sampling: a beam's tokens are
    not final until the search ends). Sampling noise is drawn here with numpy, not in the loop:
    a seed gives the same tokens on every backend."""
    check_decoding_args(max_length, num_beams, do_sample, temperature, top_k, top_p)
    if streamer is not None and (num_beams != 1 or not callable(streamer)):
        raise ValueError("`streamer` must be a callable (tokens, column), with greedy search or sampling "
                         f"(num_beams=1). Received: streamer={streamer!r}, num_beams={num_beams}")
    options = dict(num_beams=num_beams, length_penalty=float(length_penalty), do_sample=do_sample,
                   temperature=float(temperature), top_k=top_k, top_p=top_p, padding_id=padding_id)
    compiled = model.__dict__.setdefault("_generate_functions", {})
    torch_loops = bool(model.jit_compile)  # PyTorch: torch.compile each step (Keras' meaning of the flag)
    streaming = streamer is not None
    full_key = (tuple(key), max_length, end_token_id, tuple(sorted(options.items())), streaming, torch_loops)
    # The compiled loop calls back one fixed function, which forwards to this call's streamer.
    current = model.__dict__.setdefault("_generate_streamer", [None])
    if full_key not in compiled:
        on_token = (lambda tokens, column: current[0](tokens, int(column))) if streaming else None
        search = search_function(prepare, end_token_id, vocabulary_size, on_token=on_token, **options)
        compiled[full_key] = jit_compile(search if do_sample else (lambda inputs: search(inputs)), model.variables,
                                         torch_loops=torch_loops, host_callbacks=streaming)
    args = (inputs,)
    if do_sample:
        noise = np.random.default_rng(seed).uniform(size=(max_length, rows)).astype("float32")
        args += (keras.ops.convert_to_tensor(noise),)
    current[0] = streamer
    try:
        return keras.ops.convert_to_numpy(compiled[full_key](*args))
    finally:
        current[0] = None
