"""Loads GPT-2 weights: our own files, and Hugging Face's `GPT2LMHeadModel` /
`GPT2Model` checkpoints (`model.safetensors`, `pytorch_model.bin`), read
without unpickling. GPT-2 stores its projections as `Conv1D`, whose
weight is (in, out): already a Keras kernel's layout."""

from keras_zoo.weights.state_assignment import assign_state
from keras_zoo.weights.torch_layouts import same
from keras_zoo.weights.transformer_block_state import fused_qkv_block_targets
from keras_zoo.weights.transformer_block_state import layer_norm_targets
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


_BLOCK_NAMES = {"norm1": "ln_1", "qkv": "attn.c_attn", "proj": "attn.c_proj", "norm2": "ln_2",
                "fc1": "mlp.c_fc", "fc2": "mlp.c_proj"}


def _targets(backbone):
    """Yields (keras variable, Hugging Face key, conversion) in model order."""
    yield backbone.token_embedding.embeddings, _TOKEN_KEY, same
    yield backbone.position_embedding.position_embeddings, "wpe.weight", same
    for i, block in enumerate(backbone.blocks):
        yield from fused_qkv_block_targets(block, f"h.{i}", _BLOCK_NAMES, input_major=True)  # Conv1D: (in, out)
    yield from layer_norm_targets(backbone.final_norm, "ln_f")
