"""BERT's dynamic masking, statistically: 15% of the real tokens selected,
80% of them [MASK], 10% a random token, 10% unchanged; special and padding
tokens never selected; whole words selected together; a new mask every
call, the same sequence of masks from the same seed."""

import keras
import numpy as np
import pytest

from keras_zoo.layers import MaskedLMMaskGenerator

VOCABULARY, MASK, CLS, SEP, PAD = 1000, 4, 2, 3, 0
RNG = np.random.default_rng(0)


def _batch(rows=256, length=128):
    ids = RNG.integers(5, VOCABULARY, (rows, length)).astype("int32")
    lengths = RNG.integers(length // 2, length + 1, rows)
    mask = np.arange(length)[None, :] < lengths[:, None]
    ids[:, 0] = CLS
    ids[np.arange(rows), lengths - 1] = SEP
    ids[~mask] = PAD
    return ids, mask


def _generator(**kwargs):
    return MaskedLMMaskGenerator(VOCABULARY, MASK, special_token_ids=(PAD, CLS, SEP), seed=1, **kwargs)


def _numpy(outputs):
    return {key: keras.ops.convert_to_numpy(value) for key, value in outputs.items()}


def test_the_80_10_10_split_of_15_percent_of_real_tokens():
    ids, mask = _batch()
    out = _numpy(_generator()(ids, mask))
    selected, masked = out["selected"], out["token_ids"]
    candidates = mask & ~np.isin(ids, (PAD, CLS, SEP))
    n = candidates.sum()  # ~24,000: binomial sd of the rate ~0.0023
    assert abs(selected.sum() / n - 0.15) < 0.01
    s = selected.sum()  # ~3,600: sd of 0.8 ~0.007, of 0.1 ~0.005
    as_mask = (masked == MASK) & selected
    kept = (masked == ids) & selected
    as_random = selected & ~as_mask & ~kept
    assert abs(as_mask.sum() / s - 0.8) < 0.03
    assert abs(kept.sum() / s - 0.1) < 0.02  # a random draw equal to the token (1 in 1,000) counts as kept
    assert abs(as_random.sum() / s - 0.1) < 0.02
    np.testing.assert_array_equal(masked[~selected], ids[~selected])  # nothing else changes


def test_special_and_padding_tokens_are_never_selected():
    ids, mask = _batch(rows=64)
    generator = _generator(selection_rate=0.9)
    for _ in range(5):
        selected = _numpy(generator(ids, mask))["selected"]
        assert not selected[np.isin(ids, (PAD, CLS, SEP)) | ~mask].any()
        assert selected[mask & ~np.isin(ids, (PAD, CLS, SEP))].mean() > 0.85


def test_padding_is_left_alone_without_a_mask_when_padding_is_special():
    ids, _ = _batch(rows=16)
    selected = _numpy(_generator(selection_rate=0.99)(ids))["selected"]
    assert not selected[ids == PAD].any()


def test_a_new_mask_every_call_and_the_same_masks_from_the_same_seed():
    ids, mask = _batch(rows=8)
    first, second = _generator(), _generator()
    a1, a2 = _numpy(first(ids, mask)), _numpy(first(ids, mask))
    b1, b2 = _numpy(second(ids, mask)), _numpy(second(ids, mask))
    assert (a1["selected"] != a2["selected"]).any()
    for a, b in ((a1, b1), (a2, b2)):
        np.testing.assert_array_equal(a["token_ids"], b["token_ids"])
        np.testing.assert_array_equal(a["selected"], b["selected"])


def test_whole_word_masking_selects_every_piece_of_a_word():
    continuation = tuple(range(500, VOCABULARY))  # ids 500.. stand for "##" pieces
    ids, mask = _batch()
    out = _numpy(_generator(continuation_token_ids=continuation)(ids, mask))
    selected = out["selected"]
    pieces = np.isin(ids, continuation) & mask
    previous_real = np.roll(mask & ~np.isin(ids, (PAD, CLS, SEP)), 1, axis=1)
    inside = pieces & previous_real  # a piece after a word's token: the same word
    inside[:, 0] = False
    np.testing.assert_array_equal(selected[inside], np.roll(selected, 1, axis=1)[inside])
    words = mask & ~np.isin(ids, (PAD, CLS, SEP)) & ~pieces
    assert abs(selected[words].mean() - 0.15) < 0.015


def test_bad_arguments_say_what_was_received():
    with pytest.raises(ValueError, match="mask_token_id.*Received: 1000"):
        MaskedLMMaskGenerator(VOCABULARY, 1000)
    with pytest.raises(ValueError, match="mask_token_rate=0.8, random_token_rate=0.3"):
        MaskedLMMaskGenerator(VOCABULARY, MASK, random_token_rate=0.3)


def test_config_round_trip():
    generator = _generator(continuation_token_ids=(7, 8))
    clone = MaskedLMMaskGenerator.from_config(generator.get_config())
    assert clone.get_config() == generator.get_config()
