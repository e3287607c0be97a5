"""The default recipes' figures as README reports them: what `keras-zoo train
RECIPE --backend B --quiet` reaches on each backend, and how long the whole
command takes (imports and data included), one backend after the other.

    python -m benchmarks.recipes digits_convnext
    python -m benchmarks.recipes transformer_number_translation --backends jax torch
    python -m benchmarks.recipes gan_digits_wgan_gp --json benchmarks/results/cpu_recipe_gan_digits_wgan_gp.json

Each run trains into a fresh temporary runs directory (nothing resumes); the
JSON (default `benchmarks/results/cpu_recipe_<recipe>.json`) holds, per
backend, the wall time of the command and the run's `COMPLETED` record
(best validation figure, the task's after-training results, training time).
Run it with nothing else on the machine: the wall times are absolute.
"""

import argparse
import contextlib
import datetime
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

from benchmarks.harness import machine

BACKENDS = ("tensorflow", "jax", "torch")


def run_recipe(recipe, backend, overrides=(), runs_dir=None):
    """Trains `recipe` once on `backend` in a fresh runs directory (a
    temporary one unless `runs_dir` is given, then it stays, holding only
    this run); returns the command's wall seconds, its last output line,
    `COMPLETED` and the run directory."""
    if runs_dir is not None:
        os.makedirs(runs_dir)
    with (tempfile.TemporaryDirectory() if runs_dir is None else contextlib.nullcontext(runs_dir)) as runs_dir:
        command = [sys.executable, "-m", "keras_zoo.cli", "train", recipe, "--backend", backend, "--quiet",
                   "--runs-dir", runs_dir] + [arg for value in overrides for arg in ("--set", value)]
        started = time.perf_counter()
        process = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if process.returncode != 0:
            raise RuntimeError(f"{shlex.join(command)} failed:\n{process.stdout[-2000:]}{process.stderr[-3000:]}")
        (run,) = os.listdir(runs_dir)
        with open(os.path.join(runs_dir, run, "COMPLETED")) as f:
            completed = json.load(f)
        run_directory = os.path.join(runs_dir, run)
    lines = process.stdout.strip().splitlines()
    return {"wall_seconds": seconds, "last_line": lines[-1] if lines else "", "completed": completed,
            "run_directory": run_directory}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipe")
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE")
    parser.add_argument("--json", help="default: benchmarks/results/cpu_recipe_<recipe>.json")
    args = parser.parse_args(argv)
    path = args.json or os.path.join("benchmarks", "results", f"cpu_recipe_{args.recipe}.json")
    report = {
        "benchmark": f"recipe {args.recipe}",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "command": shlex.join(["python", "-m", "benchmarks.recipes"] + (sys.argv[1:] if argv is None else list(argv))),
        "args": vars(args),
        "runs": {},
    }
    for backend in args.backends:
        print(f"{args.recipe} on {backend} ...", file=sys.stderr, flush=True)
        report["runs"][backend] = run_recipe(args.recipe, backend, args.overrides)
        print(f"  {report['runs'][backend]['wall_seconds']:.0f} s: {report['runs'][backend]['last_line']}",
              file=sys.stderr, flush=True)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "w") as f:  # after every backend: a killed run keeps what it measured
            json.dump(report, f, indent=1)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
