"""GPT-2's sizes (Radford et al., 2019, Table 2; Hugging Face's `gpt2`,
`gpt2-medium`, `gpt2-large`, `gpt2-xl` configs) as data: every variant has
GPT-2's byte-level vocabulary of 50,257 tokens and 1,024 positions unless
it says otherwise. `gpt_micro` is ours: a GPT for the carried text
(`pydoc_data.topics`) and the tests."""

GPT2_VOCABULARY_SIZE = 50257
GPT2_CONTEXT = 1024

GPT_VARIANTS = {
    "gpt_micro": {"num_layers": 4, "hidden_dim": 128, "num_heads": 4, "vocabulary_size": 4096,
                  "max_sequence_length": 256},
    "gpt2": {"num_layers": 12, "hidden_dim": 768, "num_heads": 12},
    "gpt2_medium": {"num_layers": 24, "hidden_dim": 1024, "num_heads": 16},
    "gpt2_large": {"num_layers": 36, "hidden_dim": 1280, "num_heads": 20},
    "gpt2_xl": {"num_layers": 48, "hidden_dim": 1600, "num_heads": 25},
}
for _config in GPT_VARIANTS.values():
    _config.setdefault("vocabulary_size", GPT2_VOCABULARY_SIZE)
    _config.setdefault("max_sequence_length", GPT2_CONTEXT)

