"""`keras-zoo train` killed with SIGKILL in the middle of a run, then the
same command again: it resumes after the last completed epoch, and
metrics.csv ends with every epoch exactly once."""

import glob
import json
import os
import re
import signal
import subprocess
import sys
import time

import keras
import pytest

from keras_zoo.training.epoch_csv_logger import read_metrics_csv

EPOCHS = 2
COMMAND = [
    sys.executable, "-m", "keras_zoo.cli", "train", "digits_convnext", "--quiet",
    "--backend", keras.backend.backend(),
    "--set", "model.depths=[1, 1, 1, 1]", "--set", "model.dims=[16, 32, 48, 64]",
    "--set", "train.batch_size=32", "--set", "train.steps_per_epoch=2", "--set", f"train.epochs={EPOCHS}",
    # Two steps an epoch: compiling them with XLA (TensorFlow) or torch.compile would cost more
    # than running them; un-jitted JAX compiles every op on its own, which costs more still.
    "--set", "train.jit_compile='true'" if keras.backend.backend() == "jax" else "train.jit_compile='false'",
]


def _completed_epochs(run_directory):
    """The epochs the resume state holds (BackupAndRestore's metadata)."""
    try:
        with open(os.path.join(run_directory, "backup", "training_metadata.json")) as f:
            return json.load(f)["epoch"]
    except (OSError, ValueError, KeyError):
        return 0


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_sigkilled_run_resumes_with_no_epoch_lost_or_repeated(tmp_path):
    runs = str(tmp_path / "runs")
    command = COMMAND + ["--runs-dir", runs]
    env = {**os.environ, "KERAS_BACKEND": keras.backend.backend()}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 300
        run_directory = None
        while time.time() < deadline and process.poll() is None:
            found = glob.glob(os.path.join(runs, "digits_convnext-*"))
            run_directory = found[0] if found else None
            if run_directory and _completed_epochs(run_directory) >= 1:
                break
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)  # no handler, no clean-up: as a crash or `kill -9`
    finally:
        output = process.communicate()[0].decode(errors="replace")
    assert process.returncode == -signal.SIGKILL, f"the run ended before it was killed:\n{output[-3000:]}"
    completed = _completed_epochs(run_directory)
    assert 1 <= completed < EPOCHS
    assert not os.path.exists(os.path.join(run_directory, "COMPLETED"))
    rows_before = read_metrics_csv(os.path.join(run_directory, "metrics.csv"))

    again = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    output = again.stdout.decode(errors="replace")
    assert again.returncode == 0, output[-3000:]
    assert glob.glob(os.path.join(runs, "digits_convnext-*")) == [run_directory], output[-3000:]  # no second run
    assert f"Resumed and finished {run_directory}" in output
    # Only the epochs after the last completed one were trained again.
    trained = [int(n) for n in re.findall(rf"^Epoch (\d+)/{EPOCHS}", output, flags=re.MULTILINE)]
    assert trained == list(range(completed + 1, EPOCHS + 1))

    rows = read_metrics_csv(os.path.join(run_directory, "metrics.csv"))
    assert [row["epoch"] for row in rows] == list(range(EPOCHS))
    assert rows[:completed] == rows_before[:completed]  # the finished epochs' rows are kept as they were
    with open(os.path.join(run_directory, "COMPLETED")) as f:
        assert json.load(f)["epochs"] == EPOCHS
    assert not os.path.exists(os.path.join(run_directory, "backup"))
