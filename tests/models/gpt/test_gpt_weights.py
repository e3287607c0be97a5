"""GPT-2 parity with Hugging Face's `GPT2LMHeadModel` by weight transfer,
every parameter perturbed: logits within 1e-5 relative, the same argmax;
the files `save_pretrained` writes, `GPT2Model`'s layout, clear errors."""

import keras
import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from transformers import GPT2Config, GPT2LMHeadModel, GPT2Model

import keras_zoo
from gpt_references import SMALL, assert_logits_match, left_padded_prompts, perturb_, small_reference, token_ids, \
    torch_logits


def _save_pretrained(model, directory, filename):
    """What `save_pretrained` writes: model.safetensors (the tied lm_head
    left out), or the older pytorch_model.bin, which holds lm_head.weight."""
    model.save_pretrained(directory)
    written = str(directory / "model.safetensors")
    if filename == "pytorch_model.bin":
        state = load_file(written)
        if "lm_head.weight" not in state and hasattr(model, "lm_head"):
            state["lm_head.weight"] = state["transformer.wte.weight"]
        torch.save(state, str(directory / filename))
        return str(directory / filename)
    return written


def _ours(path, **overrides):
    return keras_zoo.create_model("gpt_micro", weights=path, **{**SMALL, **overrides})


def _logits(model, ids):
    return keras.ops.convert_to_numpy(model(ids))


@pytest.mark.parametrize("filename", ["model.safetensors", "pytorch_model.bin"])
def test_hugging_face_gpt2_lm_head_model_gives_the_same_logits(tmp_path, filename):
    reference = small_reference(seed=1)
    model = _ours(_save_pretrained(reference, tmp_path, filename))
    ids = token_ids(3, SMALL["max_sequence_length"], seed=1)  # every position, the last included
    assert_logits_match(_logits(model, ids), torch_logits(reference, ids))


@pytest.mark.slow
def test_full_size_gpt2_gives_the_same_logits(tmp_path):
    reference = perturb_(GPT2LMHeadModel(GPT2Config()), seed=7)  # GPT2Config's defaults are gpt2's
    model = keras_zoo.create_model("gpt2", weights=_save_pretrained(reference, tmp_path, "model.safetensors"))
    assert model.count_params() == 124_439_808
    ids = np.random.default_rng(7).integers(0, 50257, (2, 16)).astype("int32")
    assert_logits_match(_logits(model, ids), torch_logits(reference, ids))

def test_a_right_padded_batch_matches_at_its_real_tokens(tmp_path):
    reference = small_reference(seed=2)
    model = _ours(_save_pretrained(reference, tmp_path, "model.safetensors"))
    ids = token_ids(2, 10, seed=2)
    mask = np.ones_like(ids, dtype=bool)
    mask[1, 6:] = False  # row 1 has 6 real tokens; causal attention never reads the padding after them
    ids[1, 6:] = 0
    ours, theirs = _logits(model, ids), torch_logits(reference, ids, attention_mask=mask)
    assert_logits_match(ours[mask], theirs[mask])


def test_a_left_padded_batch_matches_at_its_real_tokens(tmp_path):
    reference = small_reference(seed=5)
    model = _ours(_save_pretrained(reference, tmp_path, "model.safetensors"))
    ids, mask = left_padded_prompts([10, 7, 3], 10, seed=5)
    ours = keras.ops.convert_to_numpy(model({"token_ids": ids, "padding_mask": mask}))
    theirs = torch_logits(reference, ids, attention_mask=mask)
    assert_logits_match(ours[mask], theirs[mask])


def _hugging_face_generate(reference, ids, mask, new_tokens, end_token_id):
    with torch.no_grad():
        return reference.generate(
            torch.from_numpy(ids.astype("int64")), attention_mask=torch.from_numpy(mask.astype("int64")),
            max_new_tokens=new_tokens, do_sample=False, eos_token_id=end_token_id,
            pad_token_id=end_token_id).numpy()


def test_greedy_generation_equals_hugging_faces_generate_token_for_token(tmp_path):
    reference = small_reference(seed=6)
    model = _ours(_save_pretrained(reference, tmp_path, "model.safetensors"))
    ids, mask = left_padded_prompts([4, 2, 1], 4, seed=6)  # 4 + 20 tokens: every one of the 24 positions
    ours = model.generate(ids, max_new_tokens=20, padding_mask=mask)
    theirs = _hugging_face_generate(reference, ids, mask, 20, end_token_id=SMALL["vocabulary_size"] - 1)
    assert (theirs[:, 4:] != SMALL["vocabulary_size"] - 1).all()  # no end token: all 20 compared
    np.testing.assert_array_equal(ours, theirs)
    # With an end token met early, rows finish at different steps and then repeat it, as theirs do.
    end = int(theirs[0, 7])
    ours = model.generate(ids, max_new_tokens=20, padding_mask=mask, end_token_id=end)
    np.testing.assert_array_equal(ours, _hugging_face_generate(reference, ids, mask, 20, end_token_id=end))


def test_hugging_face_gpt2_model_loads_into_the_backbone(tmp_path):
    encoder = perturb_(GPT2Model(small_reference().config), seed=3)
    backbone = _ours(_save_pretrained(encoder, tmp_path, "model.safetensors"), features_only=True)
    ids = token_ids(2, 9, seed=3)
    with torch.no_grad():
        expected = encoder(torch.from_numpy(ids.astype("int64"))).last_hidden_state.numpy()
    ours = keras.ops.convert_to_numpy(backbone(ids))
    assert np.abs(ours - expected).max() / np.abs(expected).max() < 1e-5


def test_the_cache_gives_the_logits_of_the_whole_sequence(tmp_path):
    reference = small_reference(seed=4)
    model = _ours(_save_pretrained(reference, tmp_path, "model.safetensors"))
    ids = token_ids(2, 8, seed=4)
    backbone = model.backbone
    cache = backbone.empty_cache(2, 8)
    hidden_prefix, cache = backbone.call_with_cache(keras.ops.convert_to_tensor(ids[:, :5]), cache, 0)
    steps = [hidden_prefix]
    for t in range(5, 8):
        hidden, cache = backbone.call_with_cache(keras.ops.convert_to_tensor(ids[:, t:t + 1]), cache, t)
        steps.append(hidden)
    cached = keras.ops.convert_to_numpy(backbone.token_embedding(keras.ops.concatenate(steps, axis=1), reverse=True))
    assert_logits_match(cached, torch_logits(reference, ids))


def test_mismatches_name_the_tensor_and_both_shapes(tmp_path):
    path = _save_pretrained(small_reference(), tmp_path, "model.safetensors")
    with pytest.raises(ValueError, match=r"'wpe\.weight' of shape \(24, 32\).*\(32, 32\)"):
        _ours(path, max_sequence_length=32)
    with pytest.raises(ValueError, match=r"no tensor 'h\.2\.ln_1\.weight'"):
        _ours(path, num_layers=3)
    with pytest.raises(ValueError, match=r"Not a GPT-2 checkpoint"):
        from safetensors.torch import save_file

        save_file({"foo.weight": torch.zeros(2)}, str(tmp_path / "other.safetensors"))
        _ours(str(tmp_path / "other.safetensors"))


def test_an_untied_output_projection_is_refused(tmp_path):
    state = {key: value.clone() for key, value in small_reference().state_dict().items()}
    state["lm_head.weight"] = state["lm_head.weight"] + 1.0
    torch.save(state, str(tmp_path / "untied.bin"))
    with pytest.raises(ValueError, match="differs from its token embedding"):
        _ours(str(tmp_path / "untied.bin"))
