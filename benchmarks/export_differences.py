"""README's export table: max |export - Keras| per model, format and backend.

Each cell is one `export_model` call: the artifact is written (in process on
TensorFlow, through the TensorFlow subprocess from JAX and PyTorch), run by its
own runtime on the verifier's two sample batches (batch 2 and 1; 32x32 and
64x64 images, 7 and 12 tokens) and compared with the Keras model on the
backend it was built on. The models are the export tests' own
(tests/export/export_fixtures.py: outputs of order 1), built after
`keras.utils.set_random_seed(0)`, so each backend has its own random weights.

    python -m benchmarks.export_differences            # each backend in its own process (CPU), then the table
    python -m benchmarks.export_differences --backend jax --out benchmarks/results/export_differences_jax.json
    python -m benchmarks.export_differences --table    # the table from benchmarks/results/export_differences_*.json
"""

import argparse
import datetime
import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time

from benchmarks import harness

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BACKENDS = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}
MODELS = {  # name: (export_fixtures builder, README label, output file)
    "convnext": ("any_size_convnext", "ConvNeXt (any size)", "convnext"),
    "transformer": ("small_transformer", "Transformer (forward, int32 ids)", "transformer"),
    "gan_generator": ("gan_generator", "GAN generator", "generator"),
}
EXPORTS = [("saved_model", None), ("tflite", None), ("onnx", None), ("tflite", "float16"), ("tflite", "dynamic_int8")]
SUFFIXES = {"saved_model": "", "tflite": ".tflite", "onnx": ".onnx"}
PACKAGES = ["keras", ("tensorflow-cpu", "tensorflow"), "jax", "jaxlib", "torch", "ai-edge-litert", "onnx",
            "onnxruntime", "tf2onnx", "numpy"]


def result_path(backend):
    return os.path.join(ROOT, "benchmarks", "results", f"export_differences_{backend}.json")


def measure(backend, out, command, spawned_by=None):
    """Every cell on `backend` (this process must run it), written to `out`."""
    os.environ["KERAS_BACKEND"] = backend
    import keras

    if keras.backend.backend() != backend:
        raise SystemExit(f"keras was imported with backend '{keras.backend.backend()}' before '{backend}' was set.")
    from keras_zoo.export import export_model

    fixtures = _export_fixtures()
    started = time.time()
    cells = []
    with tempfile.TemporaryDirectory() as scratch:
        for model_name, (builder, _, stem) in MODELS.items():
            keras.utils.clear_session()
            keras.utils.set_random_seed(0)
            model = getattr(fixtures, builder)()
            for format, quantize in EXPORTS:
                path = os.path.join(scratch, f"{stem}{'_' + quantize if quantize else ''}{SUFFIXES[format]}")
                cell_started = time.time()
                report = export_model(model, path, format=format, quantize=quantize, verbose=False)
                cells.append({
                    "model": model_name, "format": format, "quantize": quantize,
                    "max_abs_difference": report.max_abs_difference, "output_scale": report.output_scale,
                    "tolerance": report.tolerance, "sample_shapes": report.sample_shapes, "route": report.route,
                    "seconds": time.time() - cell_started,
                })
                _log(f"{backend} {model_name} {format} {quantize or ''}: {report.max_abs_difference:.2g} "
                     f"(of {report.output_scale:.3g})")
    result = {
        "benchmark": "max |export - Keras| of keras_zoo.export, README's export table",
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": harness.machine(),
        "command": command,
        **({"spawned_by": spawned_by} if spawned_by else {}),
        "git_commit": _git_commit(),
        "backend": backend,
        "versions": {"keras-zoo": importlib.metadata.version("keras-zoo"), **_versions()},
        "models": {name: label for name, (_, label, _) in MODELS.items()},
        "wall_seconds": time.time() - started,
        "cells": cells,
    }
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as file:
        json.dump(result, file, indent=1)
    return result


def _export_fixtures():
    """tests/export/export_fixtures.py, the very models the export tests use."""
    path = os.path.join(ROOT, "tests", "export", "export_fixtures.py")
    spec = importlib.util.spec_from_file_location("export_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _git_commit():
    """HEAD, with "+changes" when the working tree differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
        status = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return head.stdout.strip() + ("+changes" if status.stdout.strip() else "")


def _versions():
    versions = {}
    for names in PACKAGES:
        names = names if isinstance(names, tuple) else (names,)
        for name in names:
            try:
                versions[name] = importlib.metadata.version(name)
                break
            except importlib.metadata.PackageNotFoundError:
                continue
        else:
            versions[names[0]] = None
    return versions


def table(results):
    """README's markdown table from {backend: result}."""
    cells = {
        backend: {(c["model"], c["format"], c["quantize"]): c for c in result["cells"]}
        for backend, result in results.items()
    }
    lines = ["| model | format | " + " | ".join(BACKENDS[b] for b in BACKENDS) + " |",
             "|---|---|" + "---|" * len(BACKENDS)]
    for model_name, (_, label, _) in MODELS.items():
        for format, quantize in EXPORTS:
            row = [label, f"{format} {quantize}" if quantize else format]
            for backend in BACKENDS:
                cell = cells.get(backend, {}).get((model_name, format, quantize))
                row.append("—" if cell is None else f"{_number(cell['max_abs_difference'])} (of {cell['output_scale']:.2f})")
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def _number(value):
    return "0" if value == 0 else f"{value:.1e}"


def _read(backends):
    return {b: json.load(open(result_path(b))) for b in backends if os.path.isfile(result_path(b))}


def _log(message):
    print(message, file=sys.stderr, flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=list(BACKENDS), help="measure this backend here (default: each backend "
                        "in its own CPU-only subprocess, writing benchmarks/results/export_differences_<backend>.json)")
    parser.add_argument("--out", help="the JSON file (default: benchmarks/results/export_differences_<backend>.json)")
    parser.add_argument("--table", action="store_true", help="only print the table from the JSON files")
    parser.add_argument("--spawned-by", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    command = "python -m benchmarks.export_differences " + " ".join(argv if argv is not None else sys.argv[1:])
    if args.table:
        print(table(_read(BACKENDS)))
        return 0
    if args.backend:
        command = f"python -m benchmarks.export_differences --backend {args.backend}" + (
            f" --out {args.out}" if args.out else "")
        measure(args.backend, args.out or result_path(args.backend), command, args.spawned_by)
        return 0
    env = harness.device_env("cpu")
    for backend in BACKENDS:
        _log(f"== {backend}")
        out = os.path.relpath(result_path(backend), ROOT)
        subprocess.run([sys.executable, "-m", "benchmarks.export_differences", "--backend", backend, "--out", out,
                        "--spawned-by", command.strip()], env=dict(env, KERAS_BACKEND=backend), cwd=ROOT, check=True)
    print(table(_read(BACKENDS)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
