"""The base of encoder-decoder language models: token-id checks and
`generate` over `keras_zoo.generation`, for any model that can encode a
source and decode a target with a key/value cache."""

from keras import ops

from keras_zoo.generation.decoding import check_decoding_args
from keras_zoo.generation.decoding import check_special_tokens
from keras_zoo.generation.decoding import generate
from keras_zoo.generation.tokens import PADDING_ID
from keras_zoo.generation.tokens import start_ids
from keras_zoo.generation.tokens import token_at
from keras_zoo.models.language_model import LanguageModel
from keras_zoo.utils.token_ids import check_token_ids


class Seq2SeqLM(LanguageModel):
    """A functional model `{"source": (B, S), "target": (B, T)}` int ids ->
    float32 logits (B, T, V), 0 being padding, the target shifted right.

    A subclass sets `vocabulary_size` (the source's) and
    `output_vocabulary_size` (the logits' width), and defines
    - `encode(source_ids)` -> encoder output (B, S, d);
    - `decode(target_ids, encoder_output, source_padding_mask, cache=None,
      cache_index=None)` -> logits (B, T, V), and with a cache also the
      updated cache, the target ids sitting at positions `cache_index...`;
    - `empty_cache(batch_size, max_length)`, batch axis first.
    """

    def token_vocabularies(self):
        return {"source": self.vocabulary_size, "target": self.output_vocabulary_size}

    # --- Generation ---
    def generation_inputs(self, max_length, start_token_id, use_cache=True):
        """`prepare(source_ids, copies)` for `keras_zoo.generation.decoding`:
        the encoder runs once, on `copies` repeats of each source row; the
        decoder then takes one token per step over the cache, or the whole
        prefix again with `use_cache=False`."""

        def prepare(source_ids, copies):
            source = source_ids if copies == 1 else ops.repeat(source_ids, copies, axis=0)  # row b*K + k
            encoder_output = self.encode(source)  # (B*K, S, d)
            source_mask = ops.not_equal(source, PADDING_ID)
            rows = ops.shape(source)[0]

            def next_logits(ids, index, cache):
                if not use_cache:
                    logits = self.decode(ids, encoder_output, source_mask)  # (B, L, V)
                    return ops.take(logits, index, axis=1), cache
                logits, cache = self.decode(token_at(ids, index), encoder_output, source_mask,
                                            cache=cache, cache_index=index)
                return logits[:, 0], cache

            # Without a cache the loop carries a scalar placeholder in its place.
            cache = self.empty_cache(rows, max_length) if use_cache else ops.zeros(())
            return next_logits, start_ids(rows, max_length, start_token_id), cache, 0

        return prepare

    def generate(self, source_ids, max_length, start_token_id, end_token_id,
                 num_beams=1, length_penalty=0.6, use_cache=True, do_sample=False,
                 temperature=1.0, top_k=None, top_p=None, seed=None):
        """Decodes `source_ids` (B, S); returns int32 numpy ids
        (B, max_length), the start token first and 0 after each end token.

        Greedy search for `num_beams=1`, else beam search ranking hypotheses
        by log-probability / ((5 + length) / 6)^length_penalty (Wu et al.,
        2016; "Attention Is All You Need" uses 4 beams and 0.6, section 6.1).
        The encoder runs once; the decoder reuses a key/value cache
        (`use_cache=False` recomputes the whole prefix at each step: slower,
        same tokens). `do_sample=True` draws each token instead, from the
        distribution after `temperature`, `top_k` and `top_p` (nucleus)
        filtering, as Hugging Face's `generate` does; `seed` (an int) makes
        the draw repeatable (numpy draws the uniforms, so they are the same
        on every backend). Compiled with `jit` on JAX and TensorFlow
        (`keras_zoo.generation`); on PyTorch, with `model.jit_compile =
        True`, each token is one `torch.compile`d call (docs/pytorch.md).
        """
        check_token_ids(source_ids, self.vocabulary_size, "source_ids")
        check_special_tokens(self.output_vocabulary_size, start_token_id=start_token_id,
                             end_token_id=end_token_id)
        check_decoding_args(max_length, num_beams, do_sample, temperature, top_k, top_p)
        if num_beams > 1 and not use_cache:
            raise ValueError("Beam search always uses the cache. Received: use_cache=False")
        source = ops.convert_to_tensor(ops.convert_to_numpy(source_ids).astype("int32"))
        return generate(
            self, self.generation_inputs(max_length, start_token_id, use_cache), source,
            rows=int(source.shape[0]), max_length=max_length, end_token_id=end_token_id,
            vocabulary_size=self.output_vocabulary_size, key=("seq2seq", start_token_id, use_cache),
            num_beams=num_beams, length_penalty=length_penalty, do_sample=do_sample,
            temperature=temperature, top_k=top_k, top_p=top_p, seed=seed,
        )
