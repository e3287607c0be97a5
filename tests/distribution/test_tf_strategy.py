"""tf.distribute.MirroredStrategy over four logical CPU devices (a fresh
process: the split must happen before TensorFlow starts) computes what
one device computes, and every replica holds the same weights."""

import os
import subprocess
import sys

import numpy as np

WORKER = os.path.join(os.path.dirname(__file__), "tf_strategy_worker.py")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_mirrored_strategy_matches_one_device(tmp_path):
    out = tmp_path / "runs.npz"
    env = {**os.environ, "KERAS_BACKEND": "tensorflow",
           "PYTHONPATH": os.pathsep.join([REPO, os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, WORKER, str(out)], env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    runs = np.load(out)
    assert runs["replicas"] == 4 and runs["replicas_identical"]
    np.testing.assert_allclose(runs["mirrored_losses"], runs["single_losses"], rtol=1e-5)
    count = len([key for key in runs.files if key.startswith("single_w")])
    rtol, atol = 1e-4, 1e-5
    for i in range(count):
        np.testing.assert_allclose(runs[f"mirrored_w{i}"], runs[f"single_w{i}"], rtol=rtol, atol=atol)
        # Every compared weight moved far more than the tolerance: a wrong
        # update could not hide inside it.
        start = runs[f"initial_w{i}"]
        assert np.abs(runs[f"single_w{i}"] - start).max() > 100 * (atol + rtol * np.abs(start).max()), i
