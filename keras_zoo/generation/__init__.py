"""Generation for every language model, over one callback:

    next_logits(ids, index, cache) -> (logits, cache)

the float32 logits (B, V) of the token after position `index` of `ids`
(B, L), given a cache the callback owns (its batch axis first; a scalar
placeholder when the model keeps none). Greedy search, beam search and
sampling (temperature, top-k, top-p) are `keras.ops` loops over fixed
shapes, so they compile on JAX and TensorFlow (`keras_zoo.backend.jit_compile`).
An encoder-decoder model closes over its encoder output; a decoder-only
model reads its prompt from `ids`.
"""

from keras_zoo.generation.sampling import sample
from keras_zoo.generation.sampling import sampling_distribution
from keras_zoo.generation.search import beam_search
from keras_zoo.generation.search import greedy_search

__all__ = ["beam_search", "greedy_search", "sample", "sampling_distribution"]
