"""Executes every notebook in examples/ top to bottom with small parameters.

Each notebook runs once per suite, in the process of one backend (the
notebooks are spread over the three), so that CI stays short; its parameter
cell is overridden the way papermill does it: a cell inserted after the cell
tagged "parameters". A notebook passes when no cell raises and the files it
promises exist. `KERAS_ZOO_EVERY_NOTEBOOK=1` runs every notebook in the
current backend's process instead (how the "with any backend" claim is checked:
once per backend, outside CI).
"""

import glob
import os
import sys

import keras
import nbclient
import nbformat
import pytest

import expected_skips

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "examples")

# notebook: (parameter overrides, files it must write under RUNS_DIR). Which
# backend's process runs it is declared in tests/expected_skips.py.
NOTEBOOKS = {
    "convnext_digits.ipynb": (
        {"EPOCHS": 1, "FINETUNE_EPOCHS": 1, "STEPS_PER_EPOCH": 3, "PRETRAINED": False},
        ["digits_convnext-*/confusion_matrix.png", "digits_convnext-*/best.keras", "convnext_atto_timm.pth"],
    ),
    "export_tflite.ipynb": (  # run outside TensorFlow: SavedModel and TFLite come from the TensorFlow subprocess route
        {"EPOCHS": 1, "STEPS_PER_EPOCH": 3},
        ["digits_convnext-*/export/best.tflite", "digits_convnext-*/export/best_dynamic_int8.tflite",
         "digits_convnext-*/export/best_saved_model/saved_model.pb"],
    ),
    "scale_mixed_precision_distribution.ipynb": (
        # keras.distribution over 4 host devices (validation through replica_divisible_batches;
        # tf.distribute has its own tests)
        {"EPOCHS": 1, "STEPS_PER_EPOCH": 3, "MODEL_OVERRIDES": ["model.depths=[1, 1, 1, 1]", "model.dims=[8, 16, 32, 64]"]},
        ["digits_convnext-*/best.keras", "ddp_model.keras"],
    ),
    "transformer_translation.ipynb": (
        {"EPOCHS": 1, "NUM_TRAIN": 2000},
        ["transformer_number_translation-*/best.keras", "cross_attention.png"],
    ),
    "wgan_gp_digits.ipynb": (
        {"EPOCHS": 2, "COMPARE_EPOCHS": 1},
        ["gan_digits_wgan_gp-*/samples/*.png", "gan_digits_wgan_gp-*/generator.keras", "gan_comparison.png"],
    ),
}


def test_every_notebook_is_executed_by_this_suite():
    assert sorted(os.path.basename(p) for p in glob.glob(os.path.join(EXAMPLES, "*.ipynb"))) == sorted(NOTEBOOKS)
    # ... each in one backend's process of the suite.
    for name in NOTEBOOKS:
        declared = expected_skips.declaration(f"tests/examples/test_notebooks.py::test_notebook_runs_top_to_bottom[{name}]")
        assert declared is not None, f"declare the backend that runs {name} in tests/expected_skips.py"
        assert len(declared[0]) == 1 or os.environ.get("KERAS_ZOO_EVERY_NOTEBOOK") == "1", (name, declared)


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_notebook_runs_top_to_bottom(name, tmp_path, monkeypatch):
    parameters, expected_files = NOTEBOOKS[name]
    # The `keras-zoo` command the notebooks run, found as a shell finds it after pip install.
    monkeypatch.setenv("PATH", os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]))
    notebook = nbformat.read(os.path.join(EXAMPLES, name), as_version=4)
    runs_dir = str(tmp_path / "runs")
    overrides = {"BACKEND": keras.backend.backend(), "RUNS_DIR": runs_dir, **parameters}
    tagged = [i for i, cell in enumerate(notebook.cells) if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{name} needs exactly one cell tagged 'parameters'"
    notebook.cells.insert(
        tagged[0] + 1,
        nbformat.v4.new_code_cell("\n".join(f"{key} = {value!r}" for key, value in overrides.items())),
    )
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any error
    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    assert not errors
    for pattern in expected_files:
        assert glob.glob(os.path.join(runs_dir, pattern)), f"{name} did not write {pattern} under RUNS_DIR"
