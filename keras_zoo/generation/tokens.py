"""Reading and writing one column of a (B, L) id tensor, and the logit
of a choice that must never be made."""

from keras import ops

NEVER = -1e9  # log-probability of a forbidden choice (finite: no NaN)
PADDING_ID = 0


def token_at(ids, index):
    """(B, L) -> (B, 1) at column `index` (may be traced). A gather, not a
    slice: a slice at a traced index is data-dependent under torch.compile
    (a graph break per token), a gather of static shape is not."""
    return ops.take(ids, ops.reshape(ops.cast(index, "int32"), (1,)), axis=1)


def write_token(ids, index, tokens):
    """`ids` with tokens (B,) written at column `index` (may be traced): a
    select against the column numbers, static in shape on every backend."""
    column = ops.expand_dims(ops.arange(ops.shape(ids)[1], dtype="int32"), 0) == ops.cast(index, "int32")
    return ops.where(column, ops.expand_dims(ops.cast(tokens, ids.dtype), 1), ids)


def forbid_padding(logits, padding_id=PADDING_ID):
    """Padding is never generated: its logit becomes NEVER. `padding_id`
    None: a model whose every id is a token (GPT-2's id 0 is "!")."""
    if padding_id is None:
        return logits
    return ops.where(ops.arange(ops.shape(logits)[-1]) == padding_id, NEVER, logits)


def filler_id(padding_id, end_token_id):
    """What a finished row is extended with: padding, or where every id is
    a token, the end token again (Hugging Face's pad_token_id = eos)."""
    return end_token_id if padding_id is None else padding_id


def start_ids(batch_size, max_length, start_token_id):
    """(B, max_length) int32: the start token, then padding."""
    ids = ops.zeros((batch_size, max_length), dtype="int32")
    return write_token(ids, 0, ops.full((batch_size,), start_token_id, dtype="int32"))
