"""Masked-language-model data: text cut into encoder windows
(`[CLS] pieces [SEP]`, the last one padded), and batches whose tokens are
masked as BERT's pretraining does (`keras_zoo.layers.MaskedLMMaskGenerator`,
in `keras.ops`, on every backend): training batches draw a new mask each
time they are read (RoBERTa's dynamic masking), held-out ones one fixed
mask, so their accuracy compares run to run.

    windows = encoder_windows(pieces, sequence_length=128, tokenizer=tokenizer)
    batches = MaskedBatches(windows, 32, mask_generator, redraw=True, seed=0)
    x, labels, selected = batches[0]   # fit's (inputs, targets, sample weights)
"""

import keras
import numpy as np


def encoder_windows(pieces, sequence_length, tokenizer):
    """int32 (N, sequence_length) rows `[CLS] p_i .. p_j [SEP]` over a
    stream of word pieces, each piece in exactly one row; the last row is
    padded with [PAD] after its [SEP]."""
    if sequence_length < 3:
        raise ValueError(f"A window holds [CLS], [SEP] and at least one piece: `sequence_length` must be >= 3. "
                         f"Received: sequence_length={sequence_length}")
    pieces = np.asarray(pieces, dtype="int32")
    if not len(pieces):
        raise ValueError("No word pieces to cut into windows: the text is empty.")
    body = sequence_length - 2
    count = -(-len(pieces) // body)
    rows = np.full((count, sequence_length), tokenizer.pad_token_id, dtype="int32")
    for index in range(count):
        chunk = pieces[index * body : (index + 1) * body]
        rows[index, 0], rows[index, 1 : len(chunk) + 1], rows[index, len(chunk) + 1] = (
            tokenizer.cls_token_id, chunk, tokenizer.sep_token_id)
    return rows


class MaskedBatches(keras.utils.PyDataset):
    """(inputs, labels, sample weights) batches for `fit` and `evaluate`:
    inputs {"token_ids": the masked ids, "padding_mask"}, labels the
    original ids (B, T), sample weights 1.0 where a token was selected (the
    loss and accuracy count those positions only).

    Args:
        token_ids: int32 (N, T) windows.
        batch_size: rows per batch.
        mask_generator: a `MaskedLMMaskGenerator` (its seed fixes the masks).
        padding_token_id: the id whose positions are padding.
        redraw: a new mask every time a batch is read (training); False:
            one mask per row, drawn here (held-out data).
        shuffle, seed, drop_remainder: as `ArrayBatches`.
    """

    def __init__(self, token_ids, batch_size, mask_generator, padding_token_id=0, redraw=True, shuffle=False,
                 seed=0, drop_remainder=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"`batch_size` must be a positive int. Received: batch_size={batch_size}")
        if drop_remainder and len(token_ids) < batch_size:
            raise ValueError(f"Fewer windows ({len(token_ids)}) than one batch (batch_size={batch_size}) "
                             "with drop_remainder=True: no batch would be left.")
        self.token_ids = np.asarray(token_ids, dtype="int32")
        self.batch_size, self.shuffle, self.drop_remainder, self.redraw = batch_size, shuffle, drop_remainder, redraw
        self.mask_generator, self.padding_token_id = mask_generator, padding_token_id
        self._rng = np.random.default_rng(seed)
        self._order = np.arange(len(self.token_ids))
        self._fixed = None if redraw else self._mask(self.token_ids)
        self.on_epoch_end()

    def _mask(self, token_ids):
        padding_mask = token_ids != self.padding_token_id
        masked = self.mask_generator(token_ids, padding_mask=padding_mask)
        return (keras.ops.convert_to_numpy(masked["token_ids"]).astype("int32"),
                keras.ops.convert_to_numpy(masked["selected"]).astype("float32"))

    def __len__(self):
        if self.drop_remainder:
            return len(self.token_ids) // self.batch_size
        return -(-len(self.token_ids) // self.batch_size)

    def __getitem__(self, index):
        rows = self._order[index * self.batch_size : (index + 1) * self.batch_size]
        labels = self.token_ids[rows]
        if self._fixed is None:
            masked, selected = self._mask(labels)
        else:
            masked, selected = self._fixed[0][rows], self._fixed[1][rows]
        inputs = {"token_ids": masked, "segment_ids": np.zeros_like(masked),
                  "padding_mask": labels != self.padding_token_id}
        return inputs, labels, selected

    def on_epoch_end(self):
        if self.shuffle:
            self._rng.shuffle(self._order)
