"""Transformer variants (Vaswani et al., 2017, Table 3), as data.

`vocabulary_size` defaults to the paper's shared 37000-token BPE vocabulary
of WMT 2014 English-German (section 5.1); override it for other data.
"""

TRANSFORMER_VARIANTS = {
    # For tests and the number-translation recipe; not in the paper.
    "transformer_tiny": {
        "num_layers": 2, "hidden_dim": 64, "intermediate_dim": 128, "num_heads": 4,
        "dropout": 0.1, "vocabulary_size": 100,
    },
    "transformer_base": {
        "num_layers": 6, "hidden_dim": 512, "intermediate_dim": 2048, "num_heads": 8,
        "dropout": 0.1, "vocabulary_size": 37000,
    },
    "transformer_big": {
        "num_layers": 6, "hidden_dim": 1024, "intermediate_dim": 4096, "num_heads": 16,
        "dropout": 0.3, "vocabulary_size": 37000,
    },
}

# The paper's parameter counts (Table 3), in millions.
PAPER_PARAMETER_MILLIONS = {"transformer_base": 65, "transformer_big": 213}
