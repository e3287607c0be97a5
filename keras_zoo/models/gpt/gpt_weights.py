"""Loads GPT-2 weights: our own files, and Hugging Face's `GPT2LMHeadModel` /
`GPT2Model` checkpoints (`model.safetensors`, `pytorch_model.bin`), read
without unpickling. GPT-2 stores its projections as `Conv1D`, whose
weight is (in, out): already a Keras kernel's layout."""

from keras_zoo.weights.state_assignment import assign_state
from keras_zoo.weights.torch_layouts import same
from keras_zoo.weights.weight_files import load_weights_file

_TOKEN_KEY = "wte.weight"


def load_gpt_weights(model, path):
    """Loads `path` into a `CausalLM` over a `GPTBackbone`, or the backbone."""
    return load_weights_file(model, path, assign_gpt_state)


def assign_gpt_state(model, state):
    """Assigns a Hugging Face GPT-2 state dict ({key: np.ndarray})."""
    if any(key.startswith("transformer.") for key in state):  # GPT2LMHeadModel
        state = {key.removeprefix("transformer."): value for key, value in state.items()}
    if _TOKEN_KEY not in state:
        raise ValueError(
            f"Not a GPT-2 checkpoint in Hugging Face's layout: no '{_TOKEN_KEY}' or 'transformer.{_TOKEN_KEY}'. "
            f"First keys: {sorted(state)[:5]}"
        )
    tied = state.get("lm_head.weight")
    if tied is not None and not (tied.shape == state[_TOKEN_KEY].shape and (tied == state[_TOKEN_KEY]).all()):
        raise ValueError(
            "The checkpoint's 'lm_head.weight' differs from its token embedding 'wte.weight'; keras_zoo's GPT "
            "ties them (GPT-2's tie_word_embeddings=True)."
        )
    assign_state(
        state, _targets(getattr(model, "backbone", model)), classifier_prefix="lm_head.",
        optional_prefixes=("lm_head.",),
        # Older transformers saved the causal mask buffers with the weights.
        ignored=(".attn.bias", ".attn.masked_bias"),
        hint=" Does the variant match the checkpoint (layers, width, vocabulary, positions)?",
    )
    return model


def _targets(backbone):
    """Yields (keras variable, Hugging Face key, conversion) in model order."""
    width = backbone.hidden_dim

    def norm(layer, key):
        yield layer.gamma, f"{key}.weight", same
        yield layer.beta, f"{key}.bias", same

    def conv1d(layer, key, columns=slice(None)):
        yield layer.kernel, f"{key}.weight", lambda w: w[:, columns]
        yield layer.bias, f"{key}.bias", lambda b: b[columns]

    yield backbone.token_embedding.embeddings, _TOKEN_KEY, same
    yield backbone.position_embedding.position_embeddings, "wpe.weight", same
    for i, block in enumerate(backbone.blocks):
        key, attention = f"h.{i}", block.self_attention
        yield from norm(block.self_attention_norm, f"{key}.ln_1")
        for part, projection in enumerate((attention.query_dense, attention.key_dense, attention.value_dense)):
            yield from conv1d(projection, f"{key}.attn.c_attn", slice(part * width, (part + 1) * width))
        yield from conv1d(attention.output_dense, f"{key}.attn.c_proj")
        yield from norm(block.feed_forward_norm, f"{key}.ln_2")
        yield from conv1d(block.feed_forward.intermediate_dense, f"{key}.mlp.c_fc")
        yield from conv1d(block.feed_forward.output_dense, f"{key}.mlp.c_proj")
    yield from norm(backbone.final_norm, "ln_f")
