import functools

from keras_zoo.models.causal_lm import CausalLM
from keras_zoo.models.gpt.gpt_backbone import GPTBackbone
from keras_zoo.models.gpt.gpt_variants import GPT_VARIANTS
from keras_zoo.models.gpt.gpt_weights import load_gpt_weights
from keras_zoo.registry import register_model
from keras_zoo.utils.arguments import keyword_arguments


def build_gpt(variant, weights=None, features_only=False, **overrides):
    """Builds a registered GPT variant: a `CausalLM` (int token ids (B, T),
    or {"token_ids", "padding_mask"} -> float32 logits (B, T, V), the output
    projection tied to the token embedding), or with `features_only=True`
    its `GPTBackbone` (the final hidden states).

    Args:
        variant: a key of `GPT_VARIANTS`, e.g. "gpt2".
        weights: optional path to a `.weights.h5` / `.keras` file of ours, or
            a Hugging Face `GPT2LMHeadModel` / `GPT2Model` checkpoint
            (`model.safetensors`, `pytorch_model.bin`).
        features_only: return the backbone.
        **overrides: `GPTBackbone` arguments (`dropout`, `dtype`, ...).
    """
    backbone = GPTBackbone(**{"name": variant if features_only else f"{variant}_backbone",
                              **GPT_VARIANTS[variant], **overrides})
    # Every id is a token (GPT-2's 0 is "!"): padding is what the padding mask says.
    model = backbone if features_only else CausalLM(backbone, padding_token_id=None, name=variant)
    if weights is not None:
        load_gpt_weights(model, weights)
    return model


_ARGUMENTS = keyword_arguments(build_gpt, GPTBackbone.__init__, exclude=("variant",))
for _name in GPT_VARIANTS:
    register_model(_name, functools.partial(build_gpt, _name), _ARGUMENTS,
                   model_parallel_layout=GPTBackbone.model_parallel_layout)
