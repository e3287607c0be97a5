"""Reading and writing one column of a (B, L) id tensor, and the logit
of a choice that must never be made."""

from keras import ops

NEVER = -1e9  # log-probability of a forbidden choice (finite: no NaN)
PADDING_ID = 0


def token_at(ids, index):
    """(B, L) -> (B, 1) at column `index` (may be traced)."""
    return ops.slice(ids, (0, index), (ops.shape(ids)[0], 1))


def write_token(ids, index, tokens):
    """`ids` with tokens (B,) written at column `index`."""
    return ops.slice_update(ids, (0, index), ops.expand_dims(ops.cast(tokens, ids.dtype), 1))


def forbid_padding(logits):
    """Padding is never generated: its logit becomes NEVER."""
    return ops.where(ops.arange(ops.shape(logits)[-1]) == PADDING_ID, NEVER, logits)


def start_ids(batch_size, max_length, start_token_id):
    """(B, max_length) int32: the start token, then padding."""
    ids = ops.zeros((batch_size, max_length), dtype="int32")
    return write_token(ids, 0, ops.full((batch_size,), start_token_id, dtype="int32"))
