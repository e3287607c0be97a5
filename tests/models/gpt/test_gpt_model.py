"""The GPT model on every backend: GPT-2's initialisation, dropout seeded and off in
inference, left padding, every id a token, streaming, the model-parallel layout (greedy
generation over the cache equal to recomputing is tests/models/test_causal_lm.py's, on
the same backbone). The model-level
checks (config, .keras, mixed precision, fit) are tests/models/test_registered_models.py's."""

import math

import keras
import numpy as np
import pytest

import keras_zoo
from keras_zoo.models.gpt import GPTBackbone

TINY = {"num_layers": 2, "hidden_dim": 16, "num_heads": 2, "vocabulary_size": 31, "max_sequence_length": 16}


def _ids(batch, length, seed=0):
    return np.random.default_rng(seed).integers(1, TINY["vocabulary_size"], (batch, length)).astype("int32")


def test_initialisation_is_gpt2s():
    # Wide enough for the sample deviations to be within 10% of the targets.
    backbone = keras_zoo.create_model("gpt_micro", features_only=True, num_layers=4, hidden_dim=128, num_heads=4,
                                      vocabulary_size=512, max_sequence_length=64, seed=0)
    residual = 0.02 / math.sqrt(2 * 4)
    for variable in backbone.weights:
        value = keras.ops.convert_to_numpy(variable)
        if variable.path.endswith("bias") or variable.path.endswith("beta"):
            assert not value.any(), variable.path
        elif variable.path.endswith("gamma"):
            assert (value == 1).all(), variable.path
        else:
            target = residual if variable.path.endswith(("self_attention/output/kernel", "feed_forward/output/kernel")) \
                else 0.02
            assert abs(value.std() / target - 1) < 0.1, (variable.path, value.std(), target)
            assert abs(value.mean()) < 0.1 * target, variable.path


def test_dropout_is_seeded_in_training_and_off_in_inference():
    def make():
        return keras_zoo.create_model("gpt_micro", dropout=0.2, attention_dropout=0.2, embedding_dropout=0.2,
                                      seed=5, **TINY)

    model, ids = make(), _ids(2, 6)
    inference = keras.ops.convert_to_numpy(model(ids))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(model(ids, training=False)), inference)
    first, second = (keras.ops.convert_to_numpy(model(ids, training=True)) for _ in range(2))
    assert not np.allclose(first, inference) and not np.allclose(first, second)
    again = make()
    again.set_weights(model.get_weights())
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(again(ids, training=True)), first)


def test_a_cache_longer_than_the_positions_is_refused():
    backbone = GPTBackbone(**TINY)
    with pytest.raises(ValueError, match=r"16 positions; a cache of 20 needs more. Received: max_length=20"):
        backbone.empty_cache(1, 20)


@pytest.mark.parametrize("overrides, message", [
    ({"hidden_dim": 30, "num_heads": 4}, r"`hidden_dim` must divide by `num_heads`. Received: hidden_dim=30"),
    ({"dropout": 1.5}, r"dropout"),
    ({"num_layers": 0}, r"num_layers"),
])
def test_bad_arguments_are_one_clear_error(overrides, message):
    with pytest.raises(ValueError, match=message):
        GPTBackbone(**{**TINY, **overrides})


def _sharpened(seed):
    model = keras_zoo.create_model("gpt_micro", seed=seed, **TINY)
    for variable in model.weights:  # sharper logits than GPT-2's init: the argmax is not a near tie
        variable.assign(variable * 4.0)
    return model


def _left_padded(prompts, padding_token=7):
    total = max(len(prompt) for prompt in prompts)
    ids = np.full((len(prompts), total), padding_token, "int32")
    mask = np.zeros((len(prompts), total), bool)
    for row, prompt in enumerate(prompts):
        ids[row, total - len(prompt):], mask[row, total - len(prompt):] = prompt, True
    return ids, mask


@pytest.mark.parametrize("options", [{}, {"num_beams": 3}], ids=["greedy", "beam"])
def test_a_left_padded_prompt_generates_what_it_generates_alone(options):
    model = _sharpened(seed=2)
    prompts = [_ids(1, length, seed=length)[0] for length in (4, 1)]
    ids, mask = _left_padded(prompts)
    batch = model.generate(ids, max_new_tokens=6, padding_mask=mask, **options)
    for row, prompt in enumerate(prompts):
        alone = model.generate(prompt[None], max_new_tokens=6, **options)[0]
        np.testing.assert_array_equal(batch[row, ids.shape[1] - len(prompt):], alone)
        np.testing.assert_array_equal(batch[row, :ids.shape[1]], ids[row])  # the prompt comes back as given


def test_a_padded_forward_pass_equals_each_row_alone_at_its_real_tokens():
    model = _sharpened(seed=3)
    prompts = [_ids(1, length, seed=length)[0] for length in (6, 3)]
    ids, mask = _left_padded(prompts)
    logits = keras.ops.convert_to_numpy(model({"token_ids": ids, "padding_mask": mask}))
    for row, prompt in enumerate(prompts):
        alone = keras.ops.convert_to_numpy(model(prompt[None]))[0]
        np.testing.assert_allclose(logits[row][mask[row]], alone, rtol=1e-5, atol=1e-5)


def test_every_id_is_a_token_id_0_included():
    # GPT-2's id 0 is "!", not padding: made the most likely token everywhere, it is what greedy decoding emits.
    model = keras_zoo.create_model("gpt_micro", seed=4, **TINY)
    final_norm, embedding = model.backbone.final_norm, model.backbone.token_embedding.embeddings
    direction = np.random.default_rng(0).normal(size=TINY["hidden_dim"]).astype("float32")
    final_norm.gamma.assign(np.zeros(TINY["hidden_dim"], "float32"))
    final_norm.beta.assign(direction)  # every hidden state is `direction`
    table = keras.ops.convert_to_numpy(embedding).copy()
    table[0] = 10.0 * direction
    embedding.assign(table)
    np.testing.assert_array_equal(model.generate(_ids(2, 3), max_new_tokens=4)[:, 3:], 0)


@pytest.mark.parametrize("mask, message", [
    ([[True, True, False]], r"left-padded.*Received: rows \[0\] are not"),
    ([[True, False, True]], r"left-padded.*Received: rows \[0\] are not"),
    ([[True, True]], r"the prompt's shape \(1, 3\). Received: shape \(1, 2\)"),
])
def test_a_mask_that_is_not_left_padding_is_one_clear_error(mask, message):
    model = keras_zoo.create_model("gpt_micro", seed=0, **TINY)
    with pytest.raises(ValueError, match=message):
        model.generate(_ids(1, 3), max_new_tokens=2, padding_mask=np.array(mask))


def test_more_tokens_than_positions_is_one_clear_error():
    model = keras_zoo.create_model("gpt_micro", seed=0, **TINY)
    with pytest.raises(ValueError, match=r"16 learned positions; positions up to 19 were asked for"):
        model(_ids(1, 20))


@pytest.mark.parametrize("options", [{}, {"do_sample": True, "seed": 3, "top_k": 5}], ids=["greedy", "sampling"])
def test_a_streamer_receives_every_new_column_in_order_as_returned(options):
    model = _sharpened(seed=5)
    ids, mask = _left_padded([_ids(1, 4, seed=8)[0], _ids(1, 2, seed=9)[0]])
    received = []
    out = model.generate(ids, max_new_tokens=5, padding_mask=mask, streamer=lambda t, c: received.append((c, t.copy())),
                         **options)
    assert [column for column, _ in received] == list(range(4, 9))
    np.testing.assert_array_equal(np.stack([tokens for _, tokens in received], axis=1), out[:, 4:])
    np.testing.assert_array_equal(model.generate(ids, max_new_tokens=5, padding_mask=mask, **options), out)
    with pytest.raises(ValueError, match=r"`streamer` must be a callable \(tokens, column\), with greedy search"):
        model.generate(ids, 2, num_beams=2, streamer=print)


def test_the_model_parallel_layout_splits_every_blocks_attention_and_mlp():
    # The layout is ViT's (the same TransformerBlocks), whose sharded training
    # tests/distribution/test_jax_distribution.py checks against one device.
    import re

    from keras_zoo.registry import model_parallel_layout

    layout = model_parallel_layout("gpt2")
    model = keras_zoo.create_model("gpt_micro", seed=0, **TINY)
    split = {}
    for variable in model.weights:
        matches = [axes for pattern, axes in layout.items() if re.fullmatch(pattern, variable.path)]
        assert len(matches) <= 1, variable.path
        if matches:
            split[re.search(r"block\d+/.*", variable.path).group(0)] = matches[0]
            assert len(matches[0]) == len(variable.shape)
    expected = {"self_attention/query/kernel": (None, "model"), "self_attention/output/kernel": ("model", None),
                "feed_forward/intermediate/kernel": (None, "model"), "feed_forward/output/kernel": ("model", None)}
    for block in range(1, TINY["num_layers"] + 1):
        for name, axes in expected.items():
            assert split[f"block{block}/{name}"] == axes, (block, name, sorted(split))
    assert len(split) == 10 * TINY["num_layers"]  # q, k, v kernels and biases, output, fc1 kernel and bias, fc2
