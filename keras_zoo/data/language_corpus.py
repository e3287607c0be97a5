"""Text corpora for causal language models, as token streams cut into
next-token windows: the Python documentation every install carries
(`pydoc_data.topics`, 79 topics, ~465,000 characters), split by topic so
that no held-out topic is seen in training; and Tiny Shakespeare through
tensorflow-datasets, character level (nanoGPT's classic).

    corpus = pydoc_corpus(vocabulary_size=2048)
    x, y = next_token_windows(corpus.splits["train"], sequence_length=128)
"""

import dataclasses

import numpy as np

from keras_zoo.data.byte_pair_tokenizer import END_OF_TEXT
from keras_zoo.data.byte_pair_tokenizer import BytePairTokenizer

SPLITS = ("train", "validation", "test")
HELD_OUT_SHARE = 0.1  # of the characters, for validation and for test each
LARGEST_HELD_OUT_TOPIC = 0.05  # topics longer than this share of the corpus stay in training


@dataclasses.dataclass
class TokenCorpus:
    """`splits`: {"train" | "validation" | "test": int32 token stream};
    `characters`: the characters each split's text holds; `names`: what
    each split is made of (pydoc: its topics); `tokenizer`: encode/decode."""

    splits: dict
    characters: dict
    names: dict
    tokenizer: object


def split_topics(topics, seed=0):
    """{split: [topic names]}: a seeded shuffle of the topics, validation
    and test each filled to ~10% of the characters with topics shorter than
    5% of the corpus (one long topic would otherwise be a whole split), the
    rest for training."""
    names = sorted(topics)
    order = np.random.default_rng(seed).permutation(len(names))
    total = sum(len(text) for text in topics.values())
    splits, filled = {split: [] for split in SPLITS}, {split: 0 for split in SPLITS}
    for index in order:
        name = names[index]
        size = len(topics[name])
        split = "train"
        if size <= LARGEST_HELD_OUT_TOPIC * total:
            split = next((held_out for held_out in ("validation", "test")
                          if filled[held_out] < HELD_OUT_SHARE * total), "train")
        splits[split].append(name)
        filled[split] += size
    return splits


def pydoc_topic_texts(seed=0):
    """({split: [topic texts]}, {split: [topic names]}): the Python
    documentation's topics, split by `split_topics`."""
    import pydoc_data.topics

    topics = pydoc_data.topics.topics
    names = split_topics(topics, seed)
    return {split: [topics[name] for name in names[split]] for split in SPLITS}, names


def pydoc_corpus(vocabulary_size=2048, seed=0, tokenizer_path=None):
    """The standard library's Python documentation, split by topic, encoded
    with a byte-level BPE trained on the training topics (or loaded from
    `tokenizer_path`, if that file exists; written there otherwise).
    Topics are joined by the end-of-text token, as GPT-2's documents."""
    import os

    texts, names = pydoc_topic_texts(seed)
    if tokenizer_path and os.path.exists(tokenizer_path):
        tokenizer = BytePairTokenizer.load(tokenizer_path)
    else:
        tokenizer = BytePairTokenizer.train(texts["train"], vocabulary_size)
        if tokenizer_path:
            tokenizer.save(tokenizer_path)
    return _encoded(texts, names, tokenizer, separator=END_OF_TEXT)


class CharacterTokenizer:
    """One id per character of a fixed alphabet (nanoGPT's
    shakespeare_char): `encode`, `decode`, `vocabulary_size`."""

    def __init__(self, alphabet):
        self.alphabet = "".join(alphabet)
        self.ids = {character: index for index, character in enumerate(self.alphabet)}

    @classmethod
    def train(cls, texts):
        return cls(sorted(set("".join(texts))))

    @property
    def vocabulary_size(self):
        return len(self.alphabet)

    def encode(self, text):
        unknown = sorted(set(text) - set(self.ids))
        if unknown:
            raise ValueError(f"Characters outside the alphabet: {''.join(unknown)!r}")
        return [self.ids[character] for character in text]

    def decode(self, ids):
        return "".join(self.alphabet[int(i)] for i in ids)


def tiny_shakespeare_corpus(data_dir=None):
    """Tiny Shakespeare (Karpathy, 2015; ~1.1M characters) from
    tensorflow-datasets' `tiny_shakespeare`, its own train / validation /
    test split, character level. Needs the dataset prepared locally (or
    network access for tfds to fetch it)."""
    from keras_zoo.data.tfds_datasets import tfds_builder

    builder = tfds_builder("tiny_shakespeare", data_dir)  # or one message saying how to prepare it
    texts = {split: [example["text"].decode("utf-8") for example in builder.as_dataset(split=split).as_numpy_iterator()]
             for split in SPLITS}
    tokenizer = CharacterTokenizer.train(texts["train"] + texts["validation"] + texts["test"])
    return _encoded(texts, {split: [f"tiny_shakespeare/{split}"] for split in SPLITS}, tokenizer, separator="")


def _encoded(texts, names, tokenizer, separator):
    splits, characters = {}, {}
    for split in SPLITS:
        text = separator.join(texts[split])
        splits[split] = np.asarray(tokenizer.encode(text), dtype="int32")
        characters[split] = len(text)
    return TokenCorpus(splits, characters, names, tokenizer)


def next_token_windows(stream, sequence_length, stride=None):
    """(inputs, targets), each int32 (N, sequence_length), from a token
    stream: window n is stream[s : s + T] and its next tokens stream[s + 1 :
    s + T + 1], s = n * stride. stride defaults to T: every token after the
    first is a target exactly once (the held-out figures count each once)."""
    stride = stride or sequence_length
    stream = np.asarray(stream, dtype="int32")
    count = (len(stream) - 1 - sequence_length) // stride + 1
    if count < 1:
        raise ValueError(
            f"A stream of {len(stream)} tokens holds no window of {sequence_length} + 1. "
            f"Received: sequence_length={sequence_length}")
    starts = np.arange(count) * stride
    index = starts[:, None] + np.arange(sequence_length + 1)[None, :]
    windows = stream[index]
    return windows[:, :-1], windows[:, 1:]
