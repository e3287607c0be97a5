"""BERT's sizes as data: Devlin et al. (2019) BERT-Base and BERT-Large, and
the compact models of Turc et al. (2019, "Well-Read Students Learn Better",
google-research/bert's 24 smaller models) under their common names. Every
variant has BERT's WordPiece vocabulary of 30,522 tokens (uncased), 512
positions and 2 segments unless it says otherwise; the MLP is 4x the width.
`bert_micro` is ours: a BERT for the carried text and the tests."""

BERT_VOCABULARY_SIZE = 30522
BERT_POSITIONS = 512

BERT_VARIANTS = {
    "bert_micro": {"num_layers": 2, "hidden_dim": 64, "num_heads": 2, "vocabulary_size": 2048,
                   "max_sequence_length": 128},
    "bert_tiny": {"num_layers": 2, "hidden_dim": 128, "num_heads": 2},
    "bert_mini": {"num_layers": 4, "hidden_dim": 256, "num_heads": 4},
    "bert_small": {"num_layers": 4, "hidden_dim": 512, "num_heads": 8},
    "bert_medium": {"num_layers": 8, "hidden_dim": 512, "num_heads": 8},
    "bert_base": {"num_layers": 12, "hidden_dim": 768, "num_heads": 12},
    "bert_large": {"num_layers": 24, "hidden_dim": 1024, "num_heads": 16},
}
for _config in BERT_VARIANTS.values():
    _config.setdefault("vocabulary_size", BERT_VOCABULARY_SIZE)
    _config.setdefault("max_sequence_length", BERT_POSITIONS)
