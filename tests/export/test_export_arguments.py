"""What export accepts and how it refuses the rest (no conversion runs here)."""

import importlib.util
import os

import pytest

from keras_zoo.export import export_model
from keras_zoo.export.formats import FORMATS, require_packages, resolve_format
from keras_zoo.export.sources import default_output_path, resolve_keras_file


def test_unknown_format_lists_the_valid_ones():
    with pytest.raises(ValueError, match="Unknown export format 'pb'. Valid formats: saved_model, tflite, onnx"):
        export_model("model.keras", format="pb")


def test_quantization_is_checked_per_format():
    assert resolve_format("tflite", "float16").name == "tflite"
    with pytest.raises(ValueError, match="Unknown quantization 'int4' for format 'tflite'. Valid for 'tflite': float16, dynamic_int8"):
        resolve_format("tflite", "int4")
    with pytest.raises(ValueError, match="Valid for 'onnx': none"):
        resolve_format("onnx", "float16")


def test_missing_converter_names_the_extra(monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *args: None if name == "onnxruntime" else real_find_spec(name, *args)
    )
    with pytest.raises(ImportError, match=r"needs onnxruntime.*keras-zoo\[export\]"):
        require_packages(FORMATS["onnx"])


def test_path_that_is_neither_run_nor_keras_file(tmp_path):
    (tmp_path / "weights.h5").write_bytes(b"")
    with pytest.raises(FileNotFoundError, match="neither a run directory .* nor an existing .keras file"):
        resolve_keras_file(str(tmp_path / "weights.h5"))
    with pytest.raises(FileNotFoundError, match="holds none of generator.keras, best.keras, last.keras"):
        resolve_keras_file(str(tmp_path))


def test_run_directory_prefers_generator_then_best(tmp_path):
    for name in ("last.keras", "best.keras"):
        (tmp_path / name).write_bytes(b"")
    assert resolve_keras_file(str(tmp_path)) == os.path.join(str(tmp_path), "best.keras")
    (tmp_path / "generator.keras").write_bytes(b"")
    assert resolve_keras_file(str(tmp_path)) == os.path.join(str(tmp_path), "generator.keras")
    assert resolve_keras_file(str(tmp_path), checkpoint="last.keras").endswith("last.keras")


def test_default_output_paths(tmp_path):
    run_checkpoint = str(tmp_path / "run" / "best.keras")
    assert default_output_path(run_checkpoint, FORMATS["tflite"], "float16") == str(
        tmp_path / "run" / "export" / "best_float16.tflite"
    )
    assert default_output_path(str(tmp_path / "mine.keras"), FORMATS["saved_model"]) == str(
        tmp_path / "mine_saved_model"
    )


def test_cli_reports_a_bad_path(tmp_path, capsys):
    from keras_zoo.cli import main

    assert main(["export", str(tmp_path / "missing.keras"), "--format", "onnx"]) == 2
    assert "neither a run directory" in capsys.readouterr().err
