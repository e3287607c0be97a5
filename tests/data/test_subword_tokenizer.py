import numpy as np

from keras_zoo.data.subword_tokenizer import END, START, SubwordTokenizer, learn_merges
from keras_zoo.data.ted_translation import load_ted_translation

CORPUS = ["the cat sat on the mat.", "the dog sat on the log!", "a cat and a dog.",
          "o gato sentou no tapete.", "o cão sentou no tronco!"] * 4


def test_bpe_merges_frequent_pairs_first_and_round_trips():
    tokens, merges = learn_merges(CORPUS, 60)
    assert len(tokens) <= 60 and tokens[:4] == ["<pad>", "<start>", "<end>", "<unk>"]
    # Counted by hand over the 4 copies: "at</w>" ends cat, sat, mat, sat, cat (5 x 4 = 20);
    # "th" and "he</w>" make the 4 "the"s (16 each), a tie that goes to the smaller pair;
    # then "t" + "he</w>" (16); "og</w>" ends dog, log, dog (12).
    assert merges[:4] == [("a", "t</w>"), ("h", "e</w>"), ("t", "he</w>"), ("o", "g</w>")]
    tokenizer = SubwordTokenizer(tokens, merges)
    ids = tokenizer.encode("The cat sat on the log.")
    assert tokenizer.decode(ids + [END, 9]) == "the cat sat on the log ."
    assert len(ids) < len("thecatsatonthelog.")  # merged, not characters
    assert tokenizer.encode("zzz")[0] == 3  # unknown character


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
