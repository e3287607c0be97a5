"""GPT-2's byte-level byte-pair encoding (Radford et al., 2019, section
2.2) through Hugging Face `tokenizers`, the field's standard library: text
is read as UTF-8 bytes, each byte one of 256 base symbols, so every Unicode
text encodes and `decode(encode(text)) == text` exactly. Loads GPT-2's
`vocab.json` + `merges.txt` or a `tokenizer.json` a user has, or trains one
on a corpus; never downloads.

    tokenizer = BytePairTokenizer.train(texts, vocabulary_size=2048)
    ids = tokenizer.encode("def f(): pass")
    tokenizer.save("tokenizer.json"); BytePairTokenizer.load("tokenizer.json")
"""

import os

END_OF_TEXT = "<|endoftext|>"  # GPT-2's document separator (id 50256 there, 0 in one we train)


def import_tokenizers():
    try:
        import tokenizers
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "Byte-pair tokenizers need Hugging Face `tokenizers`: pip install 'keras-zoo[text]' "
            "(or pip install tokenizers)."
        ) from None
    return tokenizers


class BytePairTokenizer:
    """Text <-> int ids with a byte-level BPE (a `tokenizers.Tokenizer`
    underneath, as `.tokenizer`).

    Build one with `train`, `from_gpt2_files` or `load`. Special tokens (the
    end-of-text marker) are kept in `decode`, so a round trip returns the
    text even where it holds them.
    """

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    # --- Building ---
    @classmethod
    def train(cls, texts, vocabulary_size, min_frequency=2, special_tokens=(END_OF_TEXT,)):
        """Learns merges from `texts` (an iterable of strings) until the
        vocabulary (special tokens, the 256 bytes, merged pieces) holds
        `vocabulary_size` tokens; special tokens take the first ids."""
        tokenizers = import_tokenizers()
        if not isinstance(vocabulary_size, int) or vocabulary_size < 256 + len(special_tokens):
            raise ValueError(
                f"A byte-level vocabulary holds the 256 bytes and {len(special_tokens)} special token(s): "
                f"`vocabulary_size` must be an int >= {256 + len(special_tokens)}. "
                f"Received: vocabulary_size={vocabulary_size!r}")
        tokenizer = _byte_level(tokenizers, tokenizers.models.BPE())
        trainer = tokenizers.trainers.BpeTrainer(
            vocab_size=vocabulary_size, min_frequency=min_frequency, special_tokens=list(special_tokens),
            initial_alphabet=tokenizers.pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
        tokenizer.train_from_iterator(texts, trainer)
        return cls(tokenizer)

    @classmethod
    def from_gpt2_files(cls, vocabulary_path, merges_path):
        """GPT-2's `vocab.json` and `merges.txt` (what OpenAI and Hugging
        Face's GPT2Tokenizer ship)."""
        tokenizers = import_tokenizers()
        for path in (vocabulary_path, merges_path):
            if not os.path.isfile(path):
                raise FileNotFoundError(f"No such tokenizer file: {path}")
        return cls(_byte_level(tokenizers, tokenizers.models.BPE.from_file(vocabulary_path, merges_path)))

    @classmethod
    def load(cls, path):
        """A `tokenizer.json` (ours from `save`, or Hugging Face's)."""
        if not os.path.isfile(path):
            raise FileNotFoundError(f"No such tokenizer file: {path}")
        return cls(import_tokenizers().Tokenizer.from_file(path))

    def save(self, path):
        self.tokenizer.save(path)

    # --- Using ---
    @property
    def vocabulary_size(self):
        return self.tokenizer.get_vocab_size()

    def token_id(self, token):
        """The id of `token` (a special token's, say), or a clear error."""
        index = self.tokenizer.token_to_id(token)
        if index is None:
            raise ValueError(f"{token!r} is not in this tokenizer's vocabulary.")
        return index

    def encode(self, text):
        return self.tokenizer.encode(text).ids

    def encode_batch(self, texts):
        return [encoding.ids for encoding in self.tokenizer.encode_batch(list(texts))]

    def decode(self, ids):
        return self.tokenizer.decode([int(i) for i in ids], skip_special_tokens=False)


def _byte_level(tokenizers, model):
    """GPT-2's pipeline around a BPE model: no normalisation, the byte-level
    pre-tokenizer (its regex split, no prefix space) and decoder."""
    tokenizer = tokenizers.Tokenizer(model)
    tokenizer.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = tokenizers.decoders.ByteLevel()
    return tokenizer
