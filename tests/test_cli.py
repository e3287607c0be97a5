"""The keras-zoo command, in process (the backend is the one under test),
and its --backend flag in a fresh process."""

import os
import shutil
import subprocess
import sys

import keras
import pytest

from keras_zoo.cli import main

TINY = ["--set", "model.depths=[1, 1, 1, 1]", "--set", "model.dims=[16, 32, 48, 64]", "--set", "train.batch_size=32",
        "--set", "train.steps_per_epoch=2", "--set", "train.epochs=1"]


def test_list_models_and_recipes(capsys):
    assert main(["list", "convnext_t*"]) == 0
    assert capsys.readouterr().out.split() == ["convnext_tiny"]
    assert main(["list", "--recipes"]) == 0
    assert "digits_convnext" in capsys.readouterr().out.split()


def test_bad_override_is_rejected_before_any_work(tmp_path, capsys):
    code = main(["train", "digits_convnext", "--set", "train.batch_size=0", "--runs-dir", str(tmp_path)])
    assert code == 2
    assert "train.batch_size = 0" in capsys.readouterr().err
    assert not os.listdir(tmp_path)  # no run directory was made


def test_missing_dataset_is_one_clear_message(tmp_path, capsys):
    code = main(["train", "cifar10_convnext", "--set", f"data.data_dir='{tmp_path}'", "--runs-dir", str(tmp_path / "runs")])
    err = capsys.readouterr().err
    assert code == 1
    assert "tfds build cifar10" in err and "Traceback" not in err


def test_train_then_evaluate(tmp_path, capsys):
    runs = str(tmp_path)
    args = ["train", "digits_convnext", *TINY, "--runs-dir", runs, "--quiet", "--backend", keras.backend.backend()]
    assert main(args) == 0
    assert "Finished" in capsys.readouterr().out
    (run,) = os.listdir(runs)
    assert run.startswith("digits_convnext-")
    assert main(["evaluate", os.path.join(runs, run), "--quiet"]) == 0
    assert "accuracy=" in capsys.readouterr().out


def test_backend_cannot_change_after_keras_is_imported():
    other = next(b for b in ("jax", "torch", "tensorflow") if b != keras.backend.backend())
    with pytest.raises(RuntimeError, match=f"--backend {other}: keras is already imported"):
        main(["evaluate", "nowhere", "--backend", other])


@pytest.mark.parametrize("launch, flag", [(["keras-zoo"], ["--backend", "torch"]),
                                          ([sys.executable, "-m", "keras_zoo.cli"], ["--backend=jax"])])
def test_backend_flag_chooses_the_backend_of_a_fresh_process(launch, flag):
    # README's main job: `keras-zoo train digits_convnext --backend jax` on a
    # machine where KERAS_BACKEND is unset (import keras_zoo imports keras).
    env = {key: value for key, value in os.environ.items() if key != "KERAS_BACKEND"}
    script = launch if launch[0] != "keras-zoo" else [shutil.which("keras-zoo")]
    assert script[0], "the keras-zoo script is installed with the package (pip install -e .)"
    process = subprocess.run(script + ["evaluate", "/nonexistent-run"] + flag, env=env, capture_output=True, text=True)
    assert "already imported" not in process.stderr, process.stderr[-2000:]
    assert process.returncode != 0 and "/nonexistent-run is not a run directory" in process.stderr
