"""The TED recipe's subword tokenizer: byte-pair encoding (Sennrich et
al., 2016) over lowercased words, trained from a corpus with Hugging Face
`tokenizers` (the paper's WMT models use BPE, section 5.1), as GPT's
byte-level BPE is (`byte_pair_tokenizer.py`).

Words are split on whitespace and punctuation (each punctuation mark its
own word), and each word starts with the marker "▁" (SentencePiece's;
the paper's "</w>" ends words instead, but `tokenizers` assigns ids to such
suffixed symbols in hash-map order, so training would not be repeatable:
huggingface/tokenizers#1794). Decoding gives the words back joined by
single spaces. Ids 0-3 are `<pad>`, `<start>`, `<end>`, `<unk>`.
"""

import json

from keras_zoo.data.byte_pair_tokenizer import import_tokenizers

SPECIAL_TOKENS = ("<pad>", "<start>", "<end>", "<unk>")
PAD, START, END, UNKNOWN = 0, 1, 2, 3
WORD_START = "\u2581"
_WORDS = r"\w+|[^\w\s]"


def _pipeline(model):
    tokenizers = import_tokenizers()
    tokenizer = tokenizers.Tokenizer(model)
    tokenizer.normalizer = tokenizers.normalizers.Lowercase()
    tokenizer.pre_tokenizer = tokenizers.pre_tokenizers.Sequence([
        tokenizers.pre_tokenizers.WhitespaceSplit(),
        tokenizers.pre_tokenizers.Split(tokenizers.Regex(_WORDS), behavior="isolated"),
        tokenizers.pre_tokenizers.Metaspace(replacement=WORD_START, prepend_scheme="always"),
    ])
    tokenizer.decoder = tokenizers.decoders.Metaspace(replacement=WORD_START, prepend_scheme="always")
    return tokenizer


class SubwordTokenizer:
    """Encodes text to ids and back with learned BPE merges (a
    `tokenizers.Tokenizer` underneath, as `.tokenizer`)."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    @classmethod
    def train(cls, texts, vocabulary_size, min_frequency=2):
        """Merges learnt until the vocabulary (specials, characters and
        merged pieces) reaches `vocabulary_size`, or no pair occurs
        `min_frequency` times."""
        tokenizers = import_tokenizers()
        tokenizer = _pipeline(tokenizers.models.BPE(unk_token="<unk>"))
        trainer = tokenizers.trainers.BpeTrainer(
            vocab_size=vocabulary_size, min_frequency=min_frequency, special_tokens=list(SPECIAL_TOKENS),
            show_progress=False)
        tokenizer.train_from_iterator(texts, trainer)
        return cls(tokenizer)

    @property
    def vocabulary_size(self):
        return self.tokenizer.get_vocab_size()

    @property
    def tokens(self):
        """Every token, by id."""
        vocabulary = self.tokenizer.get_vocab()
        return sorted(vocabulary, key=vocabulary.get)

    @property
    def merges(self):
        """The learnt merges, first learnt first: [(left, right), ...]."""
        return [tuple(merge.split(" ")) if isinstance(merge, str) else tuple(merge)
                for merge in json.loads(self.tokenizer.to_str())["model"]["merges"]]

    def encode(self, text):
        return self.tokenizer.encode(text).ids

    def decode(self, ids):
        """Ids up to the end token -> text (specials dropped)."""
        kept = []
        for i in ids:
            i = int(i)
            if i == END:
                break
            if len(SPECIAL_TOKENS) <= i < self.vocabulary_size:
                kept.append(i)
        return self.tokenizer.decode(kept)

    def save(self, path):
        self.tokenizer.save(str(path))

    @classmethod
    def load(cls, path):
        """A file `save` wrote (a `tokenizer.json`)."""
        return cls(import_tokenizers().Tokenizer.from_file(str(path)))
