import numpy as np
import pytest

from keras_zoo.data import number_translation as data


def test_german_puts_units_before_tens_and_inflects_one():
    assert data.german_words(347_021) == "drei hundert sieben und vierzig tausend ein und zwanzig".split()
    assert data.english_words(347_021) == "three hundred forty seven thousand twenty one".split()
    assert data.german_words(1) == ["eins"] and data.german_words(101) == "ein hundert eins".split()
    assert data.german_words(1000) == "ein tausend".split()
    assert data.german_words(0) == ["null"] and data.german_words(40) == ["vierzig"]


def test_splits_are_deterministic_disjoint_and_fit_their_lengths():
    splits = data.load_number_translation(num_train=2000, num_validation=200, num_test=300, seed=3)
    again = data.load_number_translation(num_train=2000, num_validation=200, num_test=300, seed=3)
    np.testing.assert_array_equal(splits["train"]["source"], again["train"]["source"])
    train, validation, test = splits["train"], splits["validation"], splits["test"]
    assert not set(train["number"]) & set(test["number"])
    assert not set(train["number"]) & set(validation["number"])
    assert not set(validation["number"]) & set(test["number"])
    assert len(validation["number"]) == 200 and len(test["number"]) == 300
    # Every length the test scores also occurs in training: the test takes at
    # most a fifth of the 10 one-digit and 90 two-digit numbers, validation none.
    assert validation["number"].min() >= 1000
    for low, high, test_cap in ((0, 10, 2), (10, 100, 18)):
        in_test = np.sum((test["number"] >= low) & (test["number"] < high))
        in_train = np.sum((train["number"] >= low) & (train["number"] < high))
        assert 0 < in_test <= test_cap and in_train >= ((high - low) - in_test) // 2
    assert len(set(train["number"])) == 2000
    assert train["source"].shape == (2000, data.SOURCE_LENGTH)
    assert train["target"].shape == (2000, data.TARGET_LENGTH)
    assert np.all(train["target"][:, 0] == data.START)
    assert np.all((train["target"] == data.END).sum(1) == 1)
    # The longest sentences fit.
    longest = data.encode_numbers([777_777])
    assert data.decode_ids(longest["target"][0, 1:]) == " ".join(data.german_words(777_777))


def test_teacher_forcing_shifts_the_target_by_one():
    train = data.load_number_translation(num_train=10, num_validation=5, num_test=5)["train"]
    inputs, labels = data.teacher_forcing_pairs(train)
    np.testing.assert_array_equal(inputs["target"][:, 1:], labels[:, :-1])
    assert inputs["source"] is train["source"]


def test_array_batches_cover_every_row_once_per_epoch():
    from keras_zoo.data.array_batches import ArrayBatches

    inputs = {"source": np.arange(10)[:, None], "target": np.arange(10)[:, None] * 2}
    batches = ArrayBatches(inputs, np.arange(10), batch_size=4, seed=1)
    assert len(batches) == 3
    seen = np.concatenate([batches[i][1] for i in range(len(batches))])
    assert sorted(seen) == list(range(10)) and list(seen) != list(range(10))
    first = batches[0]
    np.testing.assert_array_equal(first[0]["target"][:, 0], 2 * first[1])
    batches.on_epoch_end()
    assert not np.array_equal(batches[0][1], first[1])  # reshuffled


def test_array_batches_can_leave_out_the_partial_batch():
    from keras_zoo.data.array_batches import ArrayBatches

    batches = ArrayBatches(np.arange(10)[:, None], np.arange(10), batch_size=4, seed=1, drop_remainder=True)
    assert len(batches) == 2
    assert [len(batches[i][1]) for i in range(len(batches))] == [4, 4]
    assert len(ArrayBatches(np.arange(8)[:, None], np.arange(8), batch_size=4, drop_remainder=True)) == 2
    with pytest.raises(ValueError, match=r"Fewer examples \(3\) than one batch \(batch_size=4\)"):
        ArrayBatches(np.arange(3)[:, None], np.arange(3), batch_size=4, drop_remainder=True)
