"""The check every language model makes on the token ids it is given.

Ids whose values are known (numpy arrays, lists) are checked: integers in
`[0, vocabulary_size)`. An embedding lookup past the table gives NaN on
JAX, an unreadable index error on PyTorch and a TensorFlow error naming a
gather op, so the check runs before any of them. Tensors are not checked:
inside a compiled graph their values are unknown, and reading an eager
accelerator tensor back would stall every training step.
"""

import numpy as np


def check_token_ids(ids, vocabulary_size, name="token ids"):
    """Raises `ValueError` when numpy/list `ids` are not integers in
    `[0, vocabulary_size)`; anything else (tensors) passes unchecked."""
    if isinstance(ids, (list, tuple)):
        ids = np.asarray(ids)
    if not isinstance(ids, np.ndarray) or ids.size == 0:
        return
    if not (np.issubdtype(ids.dtype, np.integer) or ids.dtype == bool):
        raise ValueError(
            f"`{name}` must be integer token ids in [0, {vocabulary_size}). Received an array of dtype "
            f"{ids.dtype} (e.g. {ids.flat[0]!r}); convert with ids.astype('int32') if its values are ids."
        )
    low, high = ids.min(), ids.max()
    if low < 0 or high >= vocabulary_size:
        bad = int(low) if low < 0 else int(high)
        where = tuple(int(i) for i in np.argwhere(ids == bad)[0])
        raise ValueError(
            f"`{name}` must be token ids in [0, {vocabulary_size}) (the vocabulary size). "
            f"Received id {bad} at index {where}."
        )
