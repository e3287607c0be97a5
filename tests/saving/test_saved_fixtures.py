"""Every `.keras` file keras_zoo writes loads with plain
`keras.saving.load_model` after `import keras_zoo` alone, in a fresh
process, on every backend; and the files keras_zoo 0.1.0 wrote
(tests/fixtures/saved_by_0_1_0/, see make_fixtures.py there) still load
and give the outputs they gave then."""

import json
import os
import subprocess
import sys

import pytest

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "saved_by_0_1_0")
NAMES = ("convnext_model", "convnext_run", "transformer_model", "transformer_run", "gan_model", "gan_run")

# Nothing imported but keras_zoo itself: a user's fresh session.
_LOAD_ALL = r"""
import json, os, sys
import numpy as np
import keras
import keras_zoo

def _optimizer_steps(model):
    optimizer = getattr(model, "optimizer", None) or getattr(model, "g_optimizer", None)
    return 0 if optimizer is None else int(keras.ops.convert_to_numpy(optimizer.iterations))

report = {}
for name in sys.argv[2:]:
    model = keras.saving.load_model(os.path.join(sys.argv[1], name + ".keras"))
    arrays = np.load(os.path.join(sys.argv[1], name + ".npz"))
    inputs = {key[len("input_"):]: arrays[key] for key in arrays.files if key.startswith("input_")}
    inputs = inputs or arrays["input"]
    output = keras.ops.convert_to_numpy(model(inputs, training=False))
    expected = arrays["output"]
    report[name] = {"class": type(model).__name__, "optimizer_steps": _optimizer_steps(model),
                    "shape_equal": output.shape == expected.shape,
                    "max_abs_difference": float(np.max(np.abs(output - expected))),
                    "max_abs_expected": float(np.max(np.abs(expected)))}
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def loaded():
    proc = subprocess.run([sys.executable, "-c", _LOAD_ALL, FIXTURES, *NAMES], capture_output=True, text=True,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", NAMES)
def test_a_file_saved_by_0_1_0_loads_after_import_keras_zoo_with_its_outputs(loaded, name):
    report = loaded[name]
    assert report["class"] == {"convnext": "ConvNeXt", "transformer": "Transformer", "gan": "GAN"}[name.split("_")[0]]
    if name.endswith("_run"):  # a run's last.keras resumes: its optimizer state came back
        assert report["optimizer_steps"] >= 1, report
    else:
        assert report["optimizer_steps"] == 0, report
    assert report["shape_equal"]
    # Written on JAX, read on each backend: float32 rounding of the same graph.
    assert report["max_abs_difference"] <= 1e-5 * max(1.0, report["max_abs_expected"]), report
