"""Bad input a new user tries, answered in the shared entry points with one
clear error (what was received, what is valid), for every family."""

import pytest

import keras_zoo
from keras_zoo.registry import model_arguments


@pytest.mark.parametrize("name, typo, meant", [
    ("convnext_atto", "num_clases", "num_classes"),
    ("transformer_tiny", "num_layerz", "num_layers"),
    ("wgan_gp", "latent_dimm", "latent_dim"),
])
def test_an_unknown_keyword_names_itself_the_closest_and_the_valid_ones(name, typo, meant):
    with pytest.raises(ValueError) as error:
        keras_zoo.create_model(name, **{typo: 3})
    message = str(error.value)
    assert f"create_model('{name}') got unknown keyword argument '{typo}'" in message
    assert f"Did you mean '{meant}'?" in message
    assert "Valid: " + ", ".join(model_arguments(name)) in message


def test_every_registered_model_declares_the_arguments_it_accepts():
    for name in keras_zoo.list_models():
        arguments = model_arguments(name)
        assert {"name", "dtype", "seed"} <= set(arguments), name


@pytest.mark.parametrize("what", ["empty_directory", "missing_path", "run_without_checkpoint"])
def test_evaluate_on_something_that_is_not_a_finished_run_is_one_line_exit_2(tmp_path, capsys, what):
    import json

    from keras_zoo.cli import main

    path = tmp_path / "run"
    if what != "missing_path":
        path.mkdir()
    if what == "run_without_checkpoint":  # a run killed before its first epoch ended
        from keras_zoo.recipes import load_recipe

        (path / "recipe.json").write_text(json.dumps(load_recipe("digits_convnext")))
    assert main(["evaluate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("keras-zoo evaluate: error: "), err
    expected = "does not exist; the run has not finished an epoch" if what == "run_without_checkpoint" \
        else "is not a run directory: it holds no readable recipe.json"
    assert expected in err[0]


def _checkpoints(directory):
    """A good .pth and .safetensors, and each way a downloaded file goes wrong."""
    import argparse

    import torch
    from safetensors.torch import save_file

    state = {"a.weight": torch.randn(64, 64), "b": torch.randn(300)}
    paths = {}
    for name in ("good.pth", "good.safetensors"):
        paths[name] = str(directory / name)
    torch.save(state, paths["good.pth"])
    save_file(state, paths["good.safetensors"])
    for name in ("good.pth", "good.safetensors"):
        data = open(paths[name], "rb").read()
        paths["truncated" + name[4:]] = str(directory / ("truncated" + name[4:]))
        open(paths["truncated" + name[4:]], "wb").write(data[: len(data) // 2])
    for suffix in (".pth", ".safetensors"):
        paths["text" + suffix] = str(directory / ("text" + suffix))
        open(paths["text" + suffix], "w").write("<html>Not found</html>\n" * 20)
    paths["objects.pth"] = str(directory / "objects.pth")
    torch.save({"model": state, "args": argparse.Namespace(lr=1e-3)}, paths["objects.pth"])
    return paths


@pytest.mark.parametrize("name, reason", [
    ("truncated.pth", "truncated or damaged"),
    ("truncated.safetensors", "truncated"),
    ("text.pth", "not a PyTorch or safetensors file"),
    ("text.safetensors", "not a safetensors file"),
    ("objects.pth", "refused, it contains Python objects, not only tensors"),
])
def test_an_unreadable_checkpoint_says_which_file_and_why_in_one_line(tmp_path, name, reason):
    from keras_zoo.weights import CheckpointReadError
    from keras_zoo.weights import read_torch_state_dict

    paths = _checkpoints(tmp_path)
    assert sorted(read_torch_state_dict(paths["good.pth"])) == ["a.weight", "b"]  # the good ones read
    assert sorted(read_torch_state_dict(paths["good.safetensors"])) == ["a.weight", "b"]
    with pytest.raises(CheckpointReadError) as error:
        read_torch_state_dict(paths[name])
    message = str(error.value)
    assert message.startswith(f"Could not read '{paths[name]}': {reason}") and "\n" not in message, message
    # ... and through create_model, where users meet it.
    with pytest.raises(CheckpointReadError, match="Could not read"):
        keras_zoo.create_model("convnext_atto", weights=paths[name])


def _tiny_transformer():
    return keras_zoo.create_model("transformer_tiny", vocabulary_size=20, num_layers=1, hidden_dim=8,
                                  intermediate_dim=16, num_heads=2, seed=0)


@pytest.mark.parametrize("case, message", [
    ("source_too_large", r"`source` must be token ids in \[0, 20\) \(the vocabulary size\). Received id 20 at index \(1, 2\)"),
    ("target_negative", r"`target` must be token ids in \[0, 20\) .* Received id -1 at index \(0, 0\)"),
    ("float_ids", r"`source` must be integer token ids in \[0, 20\). Received an array of dtype float64"),
])
@pytest.mark.parametrize("entry", ["call", "predict"])
def test_token_ids_outside_the_vocabulary_are_one_clear_error_on_every_backend(case, message, entry):
    import numpy as np

    model = _tiny_transformer()
    source = np.array([[1, 2, 3], [4, 5, 6]], "int32")
    target = np.array([[1, 2], [3, 4]], "int32")
    if case == "source_too_large":
        source[1, 2] = 20
    elif case == "target_negative":
        target[0, 0] = -1
    else:
        source = source + 0.5
    inputs = {"source": source, "target": target}
    with pytest.raises(ValueError, match=message):
        model(inputs) if entry == "call" else model.predict(inputs, verbose=0)


def test_generate_checks_its_source_ids_and_special_tokens():
    import numpy as np

    model = _tiny_transformer()
    with pytest.raises(ValueError, match=r"`source_ids` must be token ids in \[0, 20\).* Received id 25"):
        model.generate(np.array([[1, 25]]), 4, 1, 2)
    with pytest.raises(ValueError, match=r"`end_token_id` must be an int in \[0, 20\). Received: end_token_id=20"):
        model.generate(np.array([[1, 2]]), 4, 1, 20)
    assert model.generate(np.array([[1, 2]]), 4, 1, 2).shape == (1, 4)  # valid ids still translate


def test_the_translation_data_pipeline_checks_every_split_against_the_vocabulary():
    import numpy as np

    from keras_zoo.training.tasks.translation import TranslationData

    ids = np.array([[1, 4, 2, 0]] * 8, "int32")
    splits = {"validation": {"source": ids, "target": ids}, "test": {"source": ids + 3, "target": ids}}
    with pytest.raises(ValueError, match=r"`test source` must be token ids in \[0, 6\).* Received id 7 at index \(0, 1\)"):
        TranslationData(splits, {"source": ids, "target": ids}, 6, batch_size=4, seed=0)
