"""The language-model corpora: pydoc split by topic (disjoint, every topic
once, ~10% held out each), next-token windows, the character tokenizer."""

import numpy as np
import pydoc_data.topics
import pytest

from keras_zoo.data.language_corpus import CharacterTokenizer
from keras_zoo.data.language_corpus import next_token_windows
from keras_zoo.data.language_corpus import pydoc_corpus
from keras_zoo.data.language_corpus import split_topics


def test_topics_split_disjoint_seeded_and_about_a_tenth_held_out():
    topics = pydoc_data.topics.topics
    names = split_topics(topics, seed=0)
    every = names["train"] + names["validation"] + names["test"]
    assert sorted(every) == sorted(topics)  # each topic in exactly one split
    total = sum(len(text) for text in topics.values())
    for split in ("validation", "test"):
        share = sum(len(topics[name]) for name in names[split]) / total
        assert 0.1 <= share < 0.15, (split, share)
        assert all(len(topics[name]) <= 0.05 * total for name in names[split])
    assert split_topics(topics, seed=0) == names and split_topics(topics, seed=1) != names


def test_the_pydoc_corpus_decodes_back_to_its_topics(tmp_path):
    path = str(tmp_path / "tokenizer.json")
    corpus = pydoc_corpus(vocabulary_size=512, tokenizer_path=path)
    topics = pydoc_data.topics.topics
    for split in ("train", "test"):
        text = corpus.tokenizer.decode(corpus.splits[split])
        assert text == "<|endoftext|>".join(topics[name] for name in corpus.names[split])
        assert corpus.characters[split] == len(text)
        assert corpus.splits[split].dtype == np.int32
    again = pydoc_corpus(vocabulary_size=512, tokenizer_path=path)  # the written tokenizer, loaded
    np.testing.assert_array_equal(again.splits["test"], corpus.splits["test"])


def test_windows_predict_each_next_token_once():
    inputs, targets = next_token_windows(np.arange(11), sequence_length=3)
    np.testing.assert_array_equal(inputs, [[0, 1, 2], [3, 4, 5], [6, 7, 8]])
    np.testing.assert_array_equal(targets, [[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    inputs, _ = next_token_windows(np.arange(11), sequence_length=3, stride=2)
    assert inputs[:, 0].tolist() == [0, 2, 4, 6]
    with pytest.raises(ValueError, match=r"A stream of 3 tokens holds no window of 3 \+ 1"):
        next_token_windows(np.arange(3), sequence_length=3)


def test_the_character_tokenizer_round_trips_and_names_unknown_characters():
    tokenizer = CharacterTokenizer.train(["To be, or not", " to be"])
    assert tokenizer.vocabulary_size == len(set("To be, or not to be"))
    assert tokenizer.decode(tokenizer.encode("not to be")) == "not to be"
    with pytest.raises(ValueError, match=r"Characters outside the alphabet: 'Qiuz'"):
        tokenizer.encode("Quiz")
