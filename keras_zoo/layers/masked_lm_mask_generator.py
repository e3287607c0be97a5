import keras
import numpy as np
from keras import ops

from keras_zoo.utils.validation import check_rate


@keras.saving.register_keras_serializable(package="keras_zoo")
class MaskedLMMaskGenerator(keras.layers.Layer):
    """BERT's dynamic masking (Devlin et al., 2019, section 3.1; RoBERTa's
    "dynamic masking"): each call selects `selection_rate` of the real
    tokens at random (special and padding tokens never), and replaces
    `mask_token_rate` of the selected ones with `[MASK]`,
    `random_token_rate` with a random token, and leaves the rest unchanged.
    A new draw every call, from the layer's own seed generator: a fixed
    seed gives the same masks, batch after batch, on every backend.

    `call(token_ids (B, T) int, padding_mask=None (B, T) bool)` ->
    {"token_ids": the masked ids (B, T), "selected": bool (B, T), the
    positions the loss counts (their labels are the original ids)}.

    Args:
        vocabulary_size: int, random tokens are drawn from 0..size - 1.
        mask_token_id: int, the id of [MASK].
        special_token_ids: ids never selected ([CLS], [SEP], [PAD], ...).
        selection_rate: float, BERT's 0.15.
        mask_token_rate, random_token_rate: of the selected tokens (BERT's
            0.8 and 0.1; the rest, 0.1, stay unchanged).
        continuation_token_ids: None, or the ids of word pieces that
            continue a word (WordPiece's "##..."): whole-word masking, a
            word's pieces selected together (BERT's later release).
        seed: optional int.
    """

    def __init__(self, vocabulary_size, mask_token_id, special_token_ids=(), selection_rate=0.15,
                 mask_token_rate=0.8, random_token_rate=0.1, continuation_token_ids=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        check_rate(selection_rate=selection_rate, mask_token_rate=mask_token_rate,
                   random_token_rate=random_token_rate)
        if mask_token_rate + random_token_rate > 1:
            raise ValueError(
                "`mask_token_rate + random_token_rate` must be at most 1. "
                f"Received: mask_token_rate={mask_token_rate}, random_token_rate={random_token_rate}"
            )
        ids = {"mask_token_id": mask_token_id, **{f"special_token_ids[{i}]": t for i, t in enumerate(special_token_ids)}}
        for name, token in ids.items():
            if not isinstance(token, int) or not 0 <= token < vocabulary_size:
                raise ValueError(f"`{name}` must be a token id in 0..{vocabulary_size - 1}. Received: {token!r}")
        self.vocabulary_size, self.mask_token_id = vocabulary_size, mask_token_id
        self.special_token_ids = tuple(special_token_ids)
        self.selection_rate, self.mask_token_rate, self.random_token_rate = (
            selection_rate, mask_token_rate, random_token_rate)
        self.continuation_token_ids = None if continuation_token_ids is None else tuple(continuation_token_ids)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.built = True

    def _is_any(self, token_ids, ids):
        table = np.zeros(self.vocabulary_size, bool)
        table[list(ids)] = True
        return ops.take(ops.convert_to_tensor(table), token_ids)

    def call(self, token_ids, padding_mask=None):
        token_ids = ops.cast(token_ids, "int32")
        candidates = ops.logical_not(self._is_any(token_ids, self.special_token_ids))
        if padding_mask is not None:
            candidates = ops.logical_and(candidates, ops.cast(padding_mask, "bool"))
        draw = keras.random.uniform(ops.shape(token_ids), seed=self.seed_generator)
        if self.continuation_token_ids is not None:
            # Word k of a row reads slot k's draw: every piece of it the same number.
            starts = ops.logical_not(self._is_any(token_ids, self.continuation_token_ids))
            words = ops.maximum(ops.cumsum(ops.cast(starts, "int32"), axis=-1) - 1, 0)
            draw = ops.take_along_axis(draw, words, axis=-1)
        selected = ops.logical_and(candidates, draw < self.selection_rate)
        action = keras.random.uniform(ops.shape(token_ids), seed=self.seed_generator)
        random_ids = keras.random.randint(ops.shape(token_ids), 0, self.vocabulary_size, seed=self.seed_generator,
                                          dtype="int32")
        to_mask = ops.logical_and(selected, action < self.mask_token_rate)
        to_random = ops.logical_and(selected, ops.logical_and(
            action >= self.mask_token_rate, action < self.mask_token_rate + self.random_token_rate))
        masked = ops.where(to_mask, self.mask_token_id, ops.where(to_random, random_ids, token_ids))
        return {"token_ids": masked, "selected": selected}

    def compute_output_spec(self, token_ids, padding_mask=None):
        return {"token_ids": keras.KerasTensor(token_ids.shape, dtype="int32"),
                "selected": keras.KerasTensor(token_ids.shape, dtype="bool")}

    def get_config(self):
        return {
            **super().get_config(),
            "vocabulary_size": self.vocabulary_size,
            "mask_token_id": self.mask_token_id,
            "special_token_ids": list(self.special_token_ids),
            "selection_rate": self.selection_rate,
            "mask_token_rate": self.mask_token_rate,
            "random_token_rate": self.random_token_rate,
            "continuation_token_ids": None if self.continuation_token_ids is None
            else list(self.continuation_token_ids),
            "seed": self.seed,
        }
