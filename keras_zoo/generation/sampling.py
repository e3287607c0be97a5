"""Sampling over `next_logits(ids, index, cache) -> (logits, cache)`:
temperature, top-k (Fan et al., 2018) and top-p / nucleus (Holtzman et
al., 2020), as Hugging Face's `generate(do_sample=True)` filters them
(temperature first, then top-k, then top-p, always keeping the most likely
token).

The randomness comes in as `noise` (L, B) uniforms in [0, 1) drawn before
the loop, one per step and row; each step takes the token whose interval of
the filtered distribution's cumulative sum holds the row's noise (inverse
CDF). So a compiled loop holds no random state, and a caller drawing the
noise with numpy (as `Transformer.generate` does) gives a seed the same
draws on every backend.
"""

from keras import ops

from keras_zoo.backend.jit_compile import host_callback
from keras_zoo.backend.jit_compile import while_loop
from keras_zoo.generation.tokens import NEVER
from keras_zoo.generation.tokens import PADDING_ID
from keras_zoo.generation.tokens import filler_id
from keras_zoo.generation.tokens import forbid_padding
from keras_zoo.generation.tokens import write_token


def sampling_distribution(logits, temperature=1.0, top_k=None, top_p=None, padding_id=PADDING_ID):
    """The probabilities (B, V) float32 a sampling step draws from: padding
    excluded, logits / temperature, only the `top_k` most likely tokens,
    then only the smallest set of most likely tokens whose probability
    reaches `top_p`."""
    logits = forbid_padding(ops.cast(logits, "float32"), padding_id) / temperature
    vocabulary = ops.shape(logits)[-1]
    sorted_logits, order = ops.top_k(logits, vocabulary)  # descending, (B, V)
    keep = ops.ones_like(sorted_logits, dtype="bool")
    ranks = ops.arange(vocabulary)[None, :]
    if top_k is not None:
        keep = ops.logical_and(keep, ranks < top_k)
    if top_p is not None:
        probabilities = ops.softmax(ops.where(keep, sorted_logits, NEVER), axis=-1)
        before = ops.cumsum(probabilities, axis=-1) - probabilities  # mass of the more likely tokens
        keep = ops.logical_and(keep, ops.logical_or(before < top_p, ranks == 0))
    sorted_probabilities = ops.softmax(ops.where(keep, sorted_logits, NEVER), axis=-1)
    sorted_probabilities = ops.where(keep, sorted_probabilities, 0.0)
    # Back to vocabulary order: scatter by the sort's permutation.
    inverse = ops.argsort(order, axis=-1)
    return ops.take_along_axis(sorted_probabilities, inverse, axis=-1)


def _inverse_cdf(probabilities, uniforms):
    """Index of the token whose cumulative interval holds each row's uniform."""
    cumulative = ops.cumsum(probabilities, axis=-1)  # (B, V)
    threshold = ops.expand_dims(uniforms * cumulative[:, -1], -1)
    chosen = ops.sum(ops.cast(cumulative <= threshold, "int32"), axis=-1)
    # Rounding can leave the threshold at the very top: the last kept token.
    last_kept = ops.shape(probabilities)[-1] - 1 - ops.argmax(ops.flip(probabilities > 0, axis=-1), axis=-1)
    return ops.minimum(chosen, ops.cast(last_kept, "int32"))


def sample(next_logits, ids, cache, end_token_id, noise, temperature=1.0, top_k=None, top_p=None, start_index=0,
           padding_id=PADDING_ID, on_token=None):
    """Extends each row of `ids` (B, L) from column `start_index` by tokens
    drawn from `sampling_distribution`, step t using `noise[t]` (B,), until
    the end token or column L - 1; a finished row pads. `on_token`: as
    `greedy_search`'s."""
    max_length = ops.shape(ids)[1]
    filler = filler_id(padding_id, end_token_id)

    def cond(index, ids, cache, finished):
        return ops.logical_and(index < max_length - 1, ops.logical_not(ops.all(finished)))

    def body(index, ids, cache, finished):
        logits, cache = next_logits(ids, index, cache)
        probabilities = sampling_distribution(logits, temperature, top_k, top_p, padding_id)
        tokens = _inverse_cdf(probabilities, ops.take(noise, index, axis=0))
        tokens = ops.where(finished, filler, tokens)
        ids = write_token(ids, index + 1, tokens)
        if on_token is not None:
            host_callback(on_token, tokens, index + 1)
        return index + 1, ids, cache, ops.logical_or(finished, tokens == end_token_id)

    state = (ops.convert_to_tensor(start_index, "int32"), ids, cache, ops.zeros((ops.shape(ids)[0],), "bool"))
    return while_loop(cond, body, state)[1]
