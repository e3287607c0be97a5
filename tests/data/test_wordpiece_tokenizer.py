"""BERT's WordPiece: special tokens first, [CLS] A [SEP] B [SEP] with
segment ids, uncased and cased normalisation, a vocab.txt encoded as
Hugging Face's pure-Python BertTokenizer encodes it, save / load, clear
errors."""

import pydoc_data.topics
import pytest
from transformers import BertTokenizer

from keras_zoo.data.wordpiece_tokenizer import SPECIAL_TOKENS, WordPieceTokenizer

CORPUS = list(pydoc_data.topics.topics.values())[:20]
TEXTS = [
    "The \"if\" statement is used for conditional execution: if_stmt ::= \"if\" expr",
    "Déjà vu: ÜBER naïve CAFÉ, tabs\tand newlines\n\n",
    "incomprehensibilities notwithstanding overparameterization",
    "日本語 and [MASK] tokens",
    "",
]


@pytest.fixture(scope="module")
def tokenizer():
    return WordPieceTokenizer.train(CORPUS, vocabulary_size=800)


def test_special_tokens_come_first_and_frame_the_text(tokenizer):
    assert tokenizer.vocabulary_size == 800
    assert tokenizer.special_token_ids == (0, 1, 2, 3, 4)
    assert (tokenizer.pad_token_id, tokenizer.unknown_token_id, tokenizer.cls_token_id, tokenizer.sep_token_id,
            tokenizer.mask_token_id) == (0, 1, 2, 3, 4)
    ids = tokenizer.encode(TEXTS[0])
    assert ids[0] == 2 and ids[-1] == 3 and ids[1:-1] == tokenizer.encode_pieces(TEXTS[0])
    assert 1 not in ids  # every piece of this text is in the vocabulary
    assert tokenizer.encode(TEXTS[3]).count(4) == 1  # [MASK] in text is the special token, not its letters


def test_a_pair_gets_segment_ids(tokenizer):
    ids, segments = tokenizer.encode_pair("first sentence", "the second one")
    first, second = tokenizer.encode_pieces("first sentence"), tokenizer.encode_pieces("the second one")
    assert ids == [2, *first, 3, *second, 3]
    assert segments == [0] * (len(first) + 2) + [1] * (len(second) + 1)


def test_uncased_lowers_and_strips_accents_and_cased_keeps_both():
    uncased = WordPieceTokenizer.train(CORPUS[:5] + [TEXTS[1]], vocabulary_size=600)
    assert uncased.decode(uncased.encode_pieces("Déjà ÜBER CAFÉ")) == "deja uber cafe"
    cased = WordPieceTokenizer.train(CORPUS[:5] + [TEXTS[1]], vocabulary_size=600, lowercase=False)
    assert cased.decode(cased.encode_pieces("Déjà ÜBER CAFÉ")) == "Déjà ÜBER CAFÉ"


def test_continuation_pieces_are_the_double_hash_ones(tokenizer):
    vocabulary = tokenizer.tokenizer.get_vocab()
    continuation = set(tokenizer.continuation_token_ids)
    assert continuation and all(token.startswith("##") == (index in continuation)
                                for token, index in vocabulary.items())
    pieces = tokenizer.encode_pieces(TEXTS[2])
    assert any(piece in continuation for piece in pieces)  # a long word is split into a start and "##" pieces
    assert tokenizer.decode(pieces) == TEXTS[2]  # the decoder joins "##" pieces to their word


def test_a_vocab_txt_encodes_as_hugging_faces_bert_tokenizer(tokenizer, tmp_path):
    (path,) = tokenizer.tokenizer.model.save(str(tmp_path))  # google-research/bert's vocab.txt
    ours = WordPieceTokenizer.load(path)
    reference = BertTokenizer(path, do_lower_case=True)  # the original algorithm, in Python
    for text in TEXTS[:4] + CORPUS[:3]:
        assert ours.encode(text) == reference(text)["input_ids"], text
    ids, segments = ours.encode_pair(TEXTS[0], TEXTS[1])
    expected = reference(TEXTS[0], TEXTS[1])
    assert (ids, segments) == (expected["input_ids"], expected["token_type_ids"])
    assert WordPieceTokenizer.load(str(tmp_path)).encode(TEXTS[0]) == ours.encode(TEXTS[0])  # a directory


def test_save_and_load_give_the_same_ids(tokenizer, tmp_path):
    path = str(tmp_path / "tokenizer.json")
    tokenizer.save(path)
    loaded = WordPieceTokenizer.load(path)
    for text in TEXTS:
        assert loaded.encode(text) == tokenizer.encode(text)


def test_bad_input_is_rejected_clearly(tmp_path):
    with pytest.raises(ValueError, match="vocabulary_size=5"):
        WordPieceTokenizer.train(CORPUS, vocabulary_size=5)
    with pytest.raises(FileNotFoundError, match="No such tokenizer file"):
        WordPieceTokenizer.load(str(tmp_path / "missing.txt"))
    with pytest.raises(FileNotFoundError, match="neither tokenizer.json nor vocab.txt"):
        WordPieceTokenizer.load(str(tmp_path))
    vocabulary = tmp_path / "vocab.txt"
    vocabulary.write_text("\n".join(["[PAD]", "[UNK]", "hello"]) + "\n")
    with pytest.raises(ValueError, match=r"lacks \[CLS\], \[SEP\], \[MASK\]"):
        WordPieceTokenizer.load(str(vocabulary))
    assert SPECIAL_TOKENS == ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
