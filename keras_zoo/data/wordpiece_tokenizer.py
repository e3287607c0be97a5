"""BERT's WordPiece tokenizer (Devlin et al., 2019; Wu et al., 2016)
through Hugging Face `tokenizers`: BERT's normaliser (lower-casing and
accent stripping for uncased vocabularies, neither for cased ones), its
pre-tokenizer (whitespace and punctuation), "##" continuation pieces, and
`[CLS] A [SEP] (B [SEP])` with segment ids 0 / 1. Loads a `vocab.txt` or a
`tokenizer.json` a user has, or trains one on a corpus; never downloads.

    tokenizer = WordPieceTokenizer.train(texts, vocabulary_size=4096)
    ids, segments = tokenizer.encode_pair("How are you?", "Fine.")
    tokenizer.save("tokenizer.json"); WordPieceTokenizer.load("tokenizer.json")
"""

import os

from keras_zoo.data.byte_pair_tokenizer import import_tokenizers

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")  # ids 0..4 in one we train
CONTINUATION_PREFIX = "##"


class WordPieceTokenizer:
    """Text <-> int ids with WordPiece (a `tokenizers.Tokenizer` underneath,
    as `.tokenizer`). Build one with `train` or `load`.

    `encode(text)` gives `[CLS] text [SEP]`; `encode_pair(a, b)` gives ids
    and segment ids; `encode_pieces(text)` the pieces alone (for packing
    long text into windows). The special tokens' ids are attributes:
    `pad_token_id`, `unknown_token_id`, `cls_token_id`, `sep_token_id`,
    `mask_token_id`.
    """

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        missing = [token for token in SPECIAL_TOKENS if tokenizer.token_to_id(token) is None]
        if missing:
            raise ValueError(f"A BERT vocabulary holds {', '.join(SPECIAL_TOKENS)}; this one lacks "
                             f"{', '.join(missing)}.")
        tokenizer.add_special_tokens(list(SPECIAL_TOKENS))  # "[MASK]" in text is the token (a vocab.txt's too)
        self.pad_token_id, self.unknown_token_id, self.cls_token_id, self.sep_token_id, self.mask_token_id = (
            tokenizer.token_to_id(token) for token in SPECIAL_TOKENS)
        tokenizer.post_processor = import_tokenizers().processors.TemplateProcessing(
            single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
            special_tokens=[("[CLS]", self.cls_token_id), ("[SEP]", self.sep_token_id)])

    # --- Building ---
    @classmethod
    def train(cls, texts, vocabulary_size, lowercase=True, min_frequency=2):
        """Learns a vocabulary of `vocabulary_size` tokens (the five special
        ones first, ids 0..4) from `texts`, an iterable of strings. Not
        reproducible id for id: `tokenizers` breaks ties between equally
        frequent "##" pieces in hash order, different in each process;
        keep the tokenizer with the model (`save`; the recipe trainer
        writes `tokenizer.json` into each run)."""
        tokenizers = import_tokenizers()
        if not isinstance(vocabulary_size, int) or vocabulary_size <= len(SPECIAL_TOKENS):
            raise ValueError(f"`vocabulary_size` must be an int > {len(SPECIAL_TOKENS)} (the special tokens). "
                             f"Received: vocabulary_size={vocabulary_size!r}")
        tokenizer = _bert_pipeline(tokenizers, tokenizers.models.WordPiece(unk_token="[UNK]"), lowercase)
        trainer = tokenizers.trainers.WordPieceTrainer(
            vocab_size=vocabulary_size, min_frequency=min_frequency, special_tokens=list(SPECIAL_TOKENS),
            continuing_subword_prefix=CONTINUATION_PREFIX, show_progress=False)
        tokenizer.train_from_iterator(texts, trainer)
        return cls(tokenizer)

    @classmethod
    def load(cls, path, lowercase=True):
        """A `tokenizer.json` (ours from `save`, or Hugging Face's), or a
        `vocab.txt` (google-research/bert's, one token per line) with
        `lowercase` saying whether it is uncased; a directory holding
        either."""
        tokenizers = import_tokenizers()
        if os.path.isdir(path):
            found = [os.path.join(path, name) for name in ("tokenizer.json", "vocab.txt")
                     if os.path.isfile(os.path.join(path, name))]
            if not found:
                raise FileNotFoundError(f"{path} holds neither tokenizer.json nor vocab.txt.")
            path = found[0]
        if not os.path.isfile(path):
            raise FileNotFoundError(f"No such tokenizer file: {path}")
        if path.endswith(".json"):
            return cls(tokenizers.Tokenizer.from_file(path))
        model = tokenizers.models.WordPiece.from_file(path, unk_token="[UNK]")
        return cls(_bert_pipeline(tokenizers, model, lowercase))

    def save(self, path):
        self.tokenizer.save(path)

    # --- Using ---
    @property
    def vocabulary_size(self):
        return self.tokenizer.get_vocab_size()

    @property
    def special_token_ids(self):
        return tuple(self.tokenizer.token_to_id(token) for token in SPECIAL_TOKENS)

    @property
    def continuation_token_ids(self):
        """The ids of pieces that continue a word ("##ing"): whole-word masking's."""
        return tuple(sorted(index for token, index in self.tokenizer.get_vocab().items()
                            if token.startswith(CONTINUATION_PREFIX)))

    def token_id(self, token):
        index = self.tokenizer.token_to_id(token)
        if index is None:
            raise ValueError(f"{token!r} is not in this tokenizer's vocabulary.")
        return index

    def encode(self, text):
        """`[CLS] text [SEP]` as ids."""
        return self.tokenizer.encode(text).ids

    def encode_pair(self, text, pair):
        """(ids, segment ids) of `[CLS] text [SEP] pair [SEP]`: segment 0 up
        to the first [SEP], 1 after it."""
        encoding = self.tokenizer.encode(text, pair)
        return encoding.ids, encoding.type_ids

    def encode_pieces(self, text):
        """The word pieces of `text`, no special tokens."""
        return self.tokenizer.encode(text, add_special_tokens=False).ids

    def encode_batch(self, texts):
        return [encoding.ids for encoding in self.tokenizer.encode_batch(list(texts))]

    def decode(self, ids, skip_special_tokens=False):
        return self.tokenizer.decode([int(i) for i in ids], skip_special_tokens=skip_special_tokens)


def _bert_pipeline(tokenizers, model, lowercase):
    """BERT's text pipeline around a WordPiece model: its normaliser
    (control characters cleaned, CJK characters split; lower-casing and
    accent stripping when uncased), whitespace + punctuation split, and the
    decoder that joins "##" pieces."""
    tokenizer = tokenizers.Tokenizer(model)
    tokenizer.normalizer = tokenizers.normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=lowercase, lowercase=lowercase)
    tokenizer.pre_tokenizer = tokenizers.pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = tokenizers.decoders.WordPiece(prefix=CONTINUATION_PREFIX)
    return tokenizer

