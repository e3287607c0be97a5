"""Token files (nanoGPT's train.bin / val.bin): written from texts, read
back as a memory map, sampled as random next-token windows; and the
`language_modeling` task's `token_files` dataset, which the GPT-2
OpenWebText recipe trains on."""

import os

import numpy as np
import pydoc_data.topics
import pytest

from keras_zoo.data import token_files
from keras_zoo.data.byte_pair_tokenizer import END_OF_TEXT
from keras_zoo.data.byte_pair_tokenizer import BytePairTokenizer

TEXTS = [pydoc_data.topics.topics[name] for name in sorted(pydoc_data.topics.topics)[:12]]


@pytest.fixture(scope="module")
def tokenizer():
    return BytePairTokenizer.train(TEXTS, vocabulary_size=300)


def test_a_written_file_holds_each_text_then_the_end_token(tmp_path, tokenizer):
    path = str(tmp_path / "train.bin")
    end = tokenizer.token_id(END_OF_TEXT)
    count = token_files.write_token_file(TEXTS, tokenizer, path, end_token_id=end, chunk=5)  # 3 chunks
    expected = [token for text in TEXTS for token in (*tokenizer.encode(text), end)]
    tokens = token_files.read_token_file(path, tokenizer.vocabulary_size)
    assert tokens.dtype == np.uint16 and count == len(expected)
    np.testing.assert_array_equal(tokens, expected)
    assert os.listdir(tmp_path) == ["train.bin"]  # the partial file was renamed
    assert tokenizer.decode(tokens) == END_OF_TEXT.join(TEXTS) + END_OF_TEXT


def test_nanogpt_files_read_as_written_and_large_vocabularies_take_uint32(tmp_path):
    ids = np.array([50256, 0, 17, 50255], dtype=np.uint16)  # nanoGPT: np.memmap(..., dtype=np.uint16)
    ids.tofile(tmp_path / "val.bin")
    np.testing.assert_array_equal(token_files.read_token_file(str(tmp_path / "val.bin"), 50257), ids)
    assert token_files.token_dtype(2**16) == np.uint16 and token_files.token_dtype(2**16 + 1) == np.uint32


def test_bad_token_files_are_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"No token file at .*python -m keras_zoo.data.token_files"):
        token_files.read_token_file(str(tmp_path / "missing.bin"), 50257)
    (tmp_path / "odd.bin").write_bytes(b"abc")
    with pytest.raises(ValueError, match=r"holds 3 bytes: not a file of uint16 token ids"):
        token_files.read_token_file(str(tmp_path / "odd.bin"), 50257)


def test_random_windows_are_next_token_pairs_drawn_from_seed_epoch_and_index():
    stream = np.arange(1000, dtype=np.uint16)
    batches = token_files.RandomWindows(stream, sequence_length=16, batch_size=4, steps=3, seed=7)
    assert len(batches) == 3
    inputs, targets = batches[1]
    assert inputs.shape == targets.shape == (4, 16) and inputs.dtype == np.int32
    np.testing.assert_array_equal(targets, inputs + 1)  # each target is the next token of the stream
    np.testing.assert_array_equal(np.diff(inputs, axis=1), 1)  # contiguous windows
    again = token_files.RandomWindows(stream, 16, 4, 3, seed=7)
    np.testing.assert_array_equal(again[1][0], inputs)  # a resumed run sees the same batch
    assert not np.array_equal(batches[2][0], inputs)
    batches.on_epoch_end()
    assert not np.array_equal(batches[1][0], inputs)  # another epoch, other windows
    starts = token_files.window_starts(1000, 16, 10_000, seed=0)
    assert starts.min() == 0 and starts.max() == 1000 - 17  # every window fits, the last one too


def test_random_windows_reject_a_short_stream_and_bad_sizes():
    with pytest.raises(ValueError, match=r"A stream of 10 tokens holds no window of 16 \+ 1"):
        token_files.RandomWindows(np.arange(10), 16, 4, 3)
    with pytest.raises(ValueError, match=r"`steps` must be an int >= 1. Received: steps=0"):
        token_files.RandomWindows(np.arange(100), 16, 4, 0)


def test_spaced_held_out_windows_never_overlap():
    starts = token_files.spaced_starts(1000, 16, 5)
    assert len(starts) == 5 and starts[0] == 0 and starts[-1] + 17 <= 1000 and (np.diff(starts) >= 16).all()
    crowded = token_files.spaced_starts(100, 16, 50)  # room for 6
    assert len(crowded) == 6 and (np.diff(crowded) >= 16).all() and crowded[-1] + 17 <= 100


# ---------------------------------------------------------------- the task
TINY = ["model.num_layers=1", "model.hidden_dim=16", "model.num_heads=2", "model.max_sequence_length=32",
        "data.sequence_length=32", "data.held_out_windows=4", "train.batch_size=4", "train.steps_per_epoch=5",
        "train.epochs=1", "evaluate.sample_tokens=5", "evaluate.prompt='def'"]


@pytest.fixture
def openwebtext_recipe(tmp_path, tokenizer):
    from keras_zoo.recipes import load_recipe

    tokenizer.save(str(tmp_path / "tokenizer.json"))
    end = tokenizer.token_id(END_OF_TEXT)
    token_files.write_token_file(TEXTS[:8], tokenizer, str(tmp_path / "train.bin"), end)
    token_files.write_token_file(TEXTS[8:], tokenizer, str(tmp_path / "val.bin"), end)
    paths = [f"data.{key}={str(tmp_path / name)!r}" for key, name in
             (("train_tokens", "train.bin"), ("validation_tokens", "val.bin"), ("tokenizer_path", "tokenizer.json"))]
    return load_recipe("gpt2_openwebtext", TINY + paths)


def test_token_file_data_samples_training_windows_and_holds_out_both_halves_of_validation(openwebtext_recipe):
    from keras_zoo.training.tasks.language_modeling import build_language_model_data

    data = build_language_model_data(openwebtext_recipe)
    assert data.vocabulary_size == 300 and data.steps_per_epoch == 5
    inputs, targets = data.train[0]
    assert inputs.shape == (4, 32)
    np.testing.assert_array_equal(inputs[:, 1:], targets[:, :-1])
    held_out = token_files.read_token_file(openwebtext_recipe["data"]["validation_tokens"], 300)
    half = len(held_out) // 2
    text = {split: data.tokenizer.decode(held_out[:half] if split == "validation" else held_out[half:])
            for split in ("validation", "test")}
    for split in ("validation", "test"):
        windows, _ = data.windows[split]
        assert windows.shape == (4, 32)
        assert all(data.tokenizer.decode(row) in text[split] for row in windows)  # from its own half


def test_token_file_recipe_asks_for_what_it_needs(openwebtext_recipe):
    from keras_zoo.recipes import load_recipe
    from keras_zoo.training.tasks.language_modeling import build_language_model_data

    data = openwebtext_recipe["data"]
    recipe = load_recipe("gpt2_openwebtext", TINY + ["train.steps_per_epoch=0", f"data.train_tokens={data['train_tokens']!r}",
                                                   f"data.tokenizer_path={data['tokenizer_path']!r}"])
    with pytest.raises(ValueError, match=r"samples random windows: set train.steps_per_epoch > 0"):
        build_language_model_data(recipe)
    recipe = load_recipe("gpt2_openwebtext", TINY + ["data.tokenizer_path=''"])
    with pytest.raises(ValueError, match=r"needs data.tokenizer_path"):
        build_language_model_data(recipe)


def test_the_gpt2_openwebtext_recipe_trains_one_accumulated_update(openwebtext_recipe, tmp_path):
    import keras

    from keras_zoo.training import train_recipe

    assert openwebtext_recipe["optimizer"]["gradient_accumulation_steps"] == 5  # 5 batches: one update
    result = train_recipe(openwebtext_recipe, runs_root=str(tmp_path / "runs"), verbose=0)
    assert result.results["test_tokens"] == 4 * 32 and np.isfinite(result.results["test_perplexity"])
    assert os.path.exists(os.path.join(result.run_directory, "samples.txt"))
    last = keras.saving.load_model(os.path.join(result.run_directory, "last.keras"))
    assert int(last.optimizer.iterations) == 1  # updates (the schedule counts the 5 batches)
