"""A decoder-only language model over a causal backbone, with `generate`
on `keras_zoo.generation` (GPT-2's shape: Radford et al., 2019)."""

import keras
import numpy as np
from keras import ops

from keras_zoo.generation.decoding import check_decoding_args
from keras_zoo.generation.decoding import check_special_tokens
from keras_zoo.generation.decoding import generate
from keras_zoo.generation.tokens import PADDING_ID
from keras_zoo.generation.tokens import token_at
from keras_zoo.models.backbone import deserialize_dtype
from keras_zoo.models.backbone import model_config
from keras_zoo.models.language_model import LanguageModel
from keras_zoo.utils.token_ids import check_token_ids

NO_END_TOKEN = -1  # an id no token has: generation runs to the length asked for


@keras.saving.register_keras_serializable(package="keras_zoo")
class CausalLM(LanguageModel):
    """Next-token logits over a causal backbone: the backbone's inputs ->
    float32 logits (B, T, V), the output projection tied to the backbone's
    token embedding (x @ E^T).

    The backbone is a functional model from its inputs (int token ids
    (B, T), or a dict holding them under "token_ids" and perhaps a bool
    "padding_mask" (B, T)) to hidden states (B, T, d), in which position t
    sees positions 0..t only. It has
    - `token_embedding`: a `keras.layers.ReversibleEmbedding`;
    - `call_with_cache(token_ids, cache, cache_index, padding_mask=None)
      -> (hidden, cache)`: the hidden states of `token_ids` (B, t) placed
      in slots `cache_index...`, attending to the cache's earlier slots
      (those `padding_mask` (B, cache length) marks real), and the cache
      with their keys and values written in;
    - `empty_cache(batch_size, max_length)`, batch axis first.

    Args:
        backbone: the causal backbone.
        padding_token_id: the id `generate` never produces and extends a
            finished row with (keras_zoo's own vocabularies: 0). None: every
            id is a token (GPT-2's id 0 is "!"); padding is then only what a
            padding mask says, and a finished row repeats its end token, as
            Hugging Face's `generate` does.
    """

    def __init__(self, backbone, padding_token_id=PADDING_ID, **kwargs):
        for needed in ("token_embedding", "call_with_cache", "empty_cache"):
            if not hasattr(backbone, needed):
                raise ValueError(
                    f"CausalLM needs a causal backbone with `token_embedding`, `call_with_cache` and "
                    f"`empty_cache`. Received: {type(backbone).__name__} without `{needed}`"
                )
        inputs = backbone.input
        logits = backbone.token_embedding(backbone(inputs), reverse=True)  # (B, T, V)
        kwargs.setdefault("dtype", backbone.dtype_policy)
        super().__init__(inputs=inputs, outputs=logits, **kwargs)
        self.backbone = backbone
        if padding_token_id is not None:
            check_special_tokens(self.vocabulary_size, padding_id=None, padding_token_id=padding_token_id)
        self.padding_token_id = padding_token_id
        self.takes_padding_mask = isinstance(inputs, dict) and "padding_mask" in inputs

    @property
    def vocabulary_size(self):
        return self.backbone.token_embedding.input_dim

    # --- Generation ---
    def generation_inputs(self, max_length):
        """`prepare((prompt_ids, prompt_mask), copies)` for
        `keras_zoo.generation.decoding`: the prompt (B, T) fills the cache in
        one call (all but its last token), then each step feeds one token,
        the first being the prompt's last. With a padding mask the cache's
        slots carry one too: the prompt's (left padding), then real."""
        backbone, with_mask = self.backbone, self.takes_padding_mask

        def prepare(inputs, copies):
            prompt, prompt_mask = inputs
            if copies > 1:  # row b*K + k
                prompt, prompt_mask = (ops.repeat(part, copies, axis=0) for part in (prompt, prompt_mask))
            rows, prompt_length = ops.shape(prompt)[0], prompt.shape[1]
            ids = ops.slice_update(ops.zeros((rows, max_length), "int32"), (0, 0), prompt)
            slot_mask = ops.slice_update(ops.ones((rows, max_length), "bool"), (0, 0), prompt_mask) \
                if with_mask else None
            cache = backbone.empty_cache(rows, max_length)
            extra = {"padding_mask": slot_mask} if with_mask else {}
            if prompt_length > 1:
                _, cache = backbone.call_with_cache(prompt[:, :-1], cache, 0, **extra)

            def next_logits(ids, index, cache):
                hidden, cache = backbone.call_with_cache(token_at(ids, index), cache, index, **extra)  # (B, 1, d)
                return backbone.token_embedding(hidden, reverse=True)[:, 0], cache  # (B, V)

            return next_logits, ids, cache, prompt_length - 1

        return prepare

    def generate(self, prompt_ids, max_new_tokens, padding_mask=None, end_token_id=None, num_beams=1,
                 length_penalty=0.0, do_sample=False, temperature=1.0, top_k=None, top_p=None, seed=None,
                 streamer=None):
        """Continues each prompt row of `prompt_ids` (B, T) by up to
        `max_new_tokens` tokens; returns int32 numpy ids (B, T +
        max_new_tokens): the prompt followed by the new tokens, then after
        a row's `end_token_id` the padding id (or the end token again, see
        `padding_token_id`).

        Prompts of different lengths are left-padded: `padding_mask` (B, T)
        bool, True = a real token, each row's real tokens last (at least
        one). A padded row generates what it generates alone (for a
        backbone taking a padding mask; without a mask every token is real).

        `streamer(tokens, column)`, if given, receives each new column of
        tokens (int32 numpy (B,)) as the compiled loop produces it, `column`
        its index in the returned ids (greedy search and sampling).

        Greedy unless told otherwise: `num_beams > 1` is beam search
        (hypotheses ranked by log-probability / ((5 + new tokens) / 6)^
        `length_penalty`); `do_sample=True` draws each token after
        `temperature`, `top_k` and `top_p` filtering, `seed` making the
        draw the same on every backend. The prompt runs once, into the
        key/value cache; each step then runs one token. Compiled with `jit`
        on JAX and TensorFlow, one `torch.compile`d call per token on
        PyTorch with `model.jit_compile = True`; ids are checked against the
        vocabulary here.
        """
        prompt = np.asarray(ops.convert_to_numpy(prompt_ids))
        if prompt.ndim != 2 or prompt.shape[1] < 1:
            raise ValueError(f"`prompt_ids` must be (batch, length >= 1) token ids. Received: shape {prompt.shape}")
        check_token_ids(prompt, self.vocabulary_size, "prompt_ids")
        mask = self._prompt_mask(padding_mask, prompt.shape)
        if not isinstance(max_new_tokens, (int, np.integer)) or max_new_tokens < 1:
            raise ValueError(f"`max_new_tokens` must be an int >= 1. Received: max_new_tokens={max_new_tokens!r}")
        if end_token_id is not None:
            check_special_tokens(self.vocabulary_size, padding_id=self.padding_token_id, end_token_id=end_token_id)
        max_length = prompt.shape[1] + int(max_new_tokens)
        check_decoding_args(max_length, num_beams, do_sample, temperature, top_k, top_p)
        inputs = (ops.convert_to_tensor(prompt.astype("int32")), ops.convert_to_tensor(mask))
        return generate(
            self, self.generation_inputs(max_length), inputs, rows=prompt.shape[0], max_length=max_length,
            end_token_id=NO_END_TOKEN if end_token_id is None else end_token_id,
            vocabulary_size=self.vocabulary_size, key=("causal",), num_beams=num_beams,
            length_penalty=length_penalty, do_sample=do_sample, temperature=temperature, top_k=top_k,
            top_p=top_p, seed=seed, padding_id=self.padding_token_id, streamer=streamer,
        )

    def _prompt_mask(self, padding_mask, shape):
        """The prompt's padding mask as bool numpy (B, T), checked: left
        padding only, a real token in every row."""
        if padding_mask is None:
            return np.ones(shape, bool)
        if not self.takes_padding_mask:
            raise ValueError(f"{type(self.backbone).__name__} takes no padding mask; pass prompts without padding.")
        mask = np.asarray(ops.convert_to_numpy(padding_mask)).astype(bool)
        if mask.shape != shape:
            raise ValueError(f"`padding_mask` must have the prompt's shape {shape}. Received: shape {mask.shape}")
        if not mask[:, -1].all() or (np.diff(mask.astype("int8"), axis=1) < 0).any():
            rows = np.flatnonzero(~mask[:, -1] | (np.diff(mask.astype("int8"), axis=1) < 0).any(axis=1))
            raise ValueError(
                "Prompts must be left-padded: in each row of `padding_mask`, False (padding) before True "
                f"(the real tokens, at least one). Received: rows {rows.tolist()} are not")
        return mask

    def get_config(self):
        return {**model_config(self), "backbone": keras.saving.serialize_keras_object(self.backbone),
                "padding_token_id": self.padding_token_id}

    @classmethod
    def from_config(cls, config):
        config = deserialize_dtype(config)
        config["backbone"] = keras.saving.deserialize_keras_object(config["backbone"])
        return cls(**config)
