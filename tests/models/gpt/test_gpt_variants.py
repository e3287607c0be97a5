"""GPT-2's parameter counts, exact (tied output projection counted once):
the paper's 124M / 355M / 774M / 1.5B as Hugging Face counts them."""

import pytest

import keras_zoo
from keras_zoo.models.gpt import GPT_VARIANTS

PARAMETER_COUNTS = {
    "gpt2": 124_439_808,
    "gpt2_medium": 354_823_168,
    "gpt2_large": 774_030_080,
    "gpt2_xl": 1_557_611_200,
}


def test_gpt2_parameter_count():
    model = keras_zoo.create_model("gpt2")
    assert model.count_params() == PARAMETER_COUNTS["gpt2"]
    assert model.output_shape == (None, None, 50257)


@pytest.mark.parametrize("name", ["gpt2_medium", "gpt2_large", "gpt2_xl"])
def test_larger_variant_counts_from_their_own_blocks(name):
    # Built at full width with one and two blocks over one token and one
    # position (GPT-2 XL's 6 GB are too much for the suite): the difference
    # is one of the variant's blocks; embeddings grow by a row per token.
    config = GPT_VARIANTS[name]
    one, two = (
        keras_zoo.create_model(name, features_only=True, num_layers=n, vocabulary_size=1, max_sequence_length=1)
        .count_params() for n in (1, 2)
    )
    rows = config["vocabulary_size"] - 1 + config["max_sequence_length"] - 1
    count = one + (config["num_layers"] - 1) * (two - one) + rows * config["hidden_dim"]
    assert count == PARAMETER_COUNTS[name]


@pytest.mark.parametrize("name", sorted(PARAMETER_COUNTS))
def test_counts_are_hugging_faces(name):
    # An independent count: transformers' GPT2LMHeadModel on torch's meta device (nothing allocated).
    import torch
    from transformers import GPT2LMHeadModel

    from gpt_references import hugging_face_config

    config = {key: GPT_VARIANTS[name][key] for key in
              ("num_layers", "hidden_dim", "num_heads", "vocabulary_size", "max_sequence_length")}
    with torch.device("meta"):
        reference = GPT2LMHeadModel(hugging_face_config(**config))
    assert reference.num_parameters() == PARAMETER_COUNTS[name]
