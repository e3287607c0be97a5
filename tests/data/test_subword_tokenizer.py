"""The TED recipe's BPE (on Hugging Face `tokenizers`): the most frequent
pair merges first, lowercased words round-trip joined by spaces, the
vocabulary size holds, training is deterministic and saves; the TED
pipeline on it."""

import collections
import re

import numpy as np

from keras_zoo.data.subword_tokenizer import END, START, SubwordTokenizer
from keras_zoo.data.ted_translation import load_ted_translation

CORPUS = ["the cat sat on the mat.", "the dog sat on the log!", "a cat and a dog.",
          "o gato sentou no tapete.", "o cão sentou no tronco!"] * 4


def test_bpe_merges_the_most_frequent_pair_first_and_round_trips():
    tokenizer = SubwordTokenizer.train(CORPUS, 60)
    assert tokenizer.vocabulary_size <= 60 and tokenizer.tokens[:4] == ["<pad>", "<start>", "<end>", "<unk>"]
    # The first merge is the corpus's most frequent adjacent pair of symbols, counted here in Python.
    pairs = collections.Counter(
        pair for text in CORPUS for word in re.findall(r"\w+|[^\w\s]", text.lower())
        for pair in zip("\u2581" + word, word))
    most = max(pairs.values())
    assert tokenizer.merges[0] in {pair for pair, count in pairs.items() if count == most}
    ids = tokenizer.encode("The cat sat on the log.")
    assert tokenizer.decode(ids + [END, 9]) == "the cat sat on the log ."
    assert len(ids) < len("thecatsatonthelog.")  # merged, not characters
    assert tokenizer.encode("zzz")[1:] == [3, 3, 3]  # the word-start marker, then unknown characters
    assert SubwordTokenizer.train(CORPUS * 5, 45).vocabulary_size == 45  # the size asked for, where merges remain


def test_bpe_is_deterministic_and_saves(tmp_path):
    first = SubwordTokenizer.train(CORPUS, 50)
    path = tmp_path / "bpe.json"
    first.save(path)
    again = SubwordTokenizer.load(path)
    assert again.merges == SubwordTokenizer.train(CORPUS, 50).merges == first.merges
    assert again.encode("o gato") == first.encode("o gato")


def test_ted_pipeline_encodes_splits_without_download():
    texts = {"train": (CORPUS[:5], CORPUS[5:10]), "validation": (CORPUS[:2], CORPUS[2:4]),
             "test": (["o gato sentou no tapete e no tronco ."], ["the cat sat."])}
    splits, tokenizer = load_ted_translation(vocabulary_size=70, max_tokens=8, split_texts=texts)
    test = splits["test"]
    assert test["source"].shape == (1, 8) and test["target"].shape == (1, 10)
    assert test["references"] == ["the cat sat."]
    assert test["target"][0, 0] == START and END in test["target"][0]
    assert tokenizer.decode(test["target"][0, 1:]) == "the cat sat ."
    # Training pairs longer than max_tokens are dropped, evaluation ones kept.
    long_train, _ = load_ted_translation(vocabulary_size=70, max_tokens=2, split_texts=texts)
    assert len(long_train["train"]["source"]) < 5 and len(long_train["test"]["source"]) == 1
    assert np.all(long_train["test"]["source"] >= 0)
