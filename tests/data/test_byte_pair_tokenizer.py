"""The byte-level BPE: exact round trip for any Unicode text, GPT-2's
vocab.json + merges.txt encoded as Hugging Face's pure-Python
GPT2Tokenizer encodes them, save / load, clear errors."""

import pydoc_data.topics
import pytest
from transformers import GPT2Tokenizer

from keras_zoo.data.byte_pair_tokenizer import END_OF_TEXT, BytePairTokenizer

CORPUS = list(pydoc_data.topics.topics.values())[:20]
TEXTS = [
    "The \"if\" statement is used for conditional execution:\n\n   if_stmt ::= \"if\" expr",
    "  leading spaces, tabs\tand trailing newlines\n\n\n",
    "Ünïcödé: 日本語のテキスト, emoji 🐍😀, combining e\u0301, RTL שלום, NUL \x00 byte",
    "",
    f"two documents{END_OF_TEXT}joined",
]


@pytest.fixture(scope="module")
def tokenizer():
    return BytePairTokenizer.train(CORPUS, vocabulary_size=600)


def test_every_text_round_trips_and_merges_shorten_it(tokenizer):
    assert tokenizer.vocabulary_size == 600 and tokenizer.token_id(END_OF_TEXT) == 0
    for text in TEXTS:
        assert tokenizer.decode(tokenizer.encode(text)) == text
    english = TEXTS[0]
    assert len(tokenizer.encode(english)) < 0.6 * len(english.encode("utf-8"))  # merged, not bytes
    assert tokenizer.encode(TEXTS[4]).count(0) == 1  # the marker is one special token, not its characters
    assert tokenizer.encode_batch(TEXTS[:2]) == [tokenizer.encode(text) for text in TEXTS[:2]]


def test_gpt2_files_encode_as_hugging_faces_gpt2_tokenizer(tokenizer, tmp_path):
    vocabulary, merges = tokenizer.tokenizer.model.save(str(tmp_path))  # GPT-2's two files
    ours = BytePairTokenizer.from_gpt2_files(vocabulary, merges)
    reference = GPT2Tokenizer(vocabulary, merges)  # the original algorithm, in Python
    for text in TEXTS[:4] + CORPUS[:3]:
        assert ours.encode(text) == reference.encode(text), text[:40]
        assert ours.decode(ours.encode(text)) == text


def test_save_and_load_keep_every_id(tokenizer, tmp_path):
    path = str(tmp_path / "tokenizer.json")
    tokenizer.save(path)
    again = BytePairTokenizer.load(path)
    for text in TEXTS:
        assert again.encode(text) == tokenizer.encode(text)


def test_training_is_deterministic():
    assert BytePairTokenizer.train(CORPUS, 400).encode(TEXTS[0]) == BytePairTokenizer.train(CORPUS, 400).encode(TEXTS[0])


def test_bad_input_is_one_clear_error(tokenizer, tmp_path):
    with pytest.raises(ValueError, match=r"`vocabulary_size` must be an int >= 257. Received: vocabulary_size=100"):
        BytePairTokenizer.train(CORPUS, 100)
    with pytest.raises(FileNotFoundError, match="No such tokenizer file"):
        BytePairTokenizer.load(str(tmp_path / "missing.json"))
    with pytest.raises(ValueError, match="'<pad>' is not in this tokenizer's vocabulary"):
        tokenizer.token_id("<pad>")
