"""Does masked-LM pretraining pay? Per backend: `keras-zoo train
bert_pydoc_mlm`, then `bert_pydoc_acceptability` twice with the same
budget (epochs, batch, schedule, seed), once from that run's backbone and
tokenizer, once from scratch; held-out accuracy of each and the gain.

    python -m benchmarks.bert_finetune
    python -m benchmarks.bert_finetune --backends jax --json benchmarks/results/cpu_bert_finetune_jax.json

Run it with nothing else on the machine: the wall times are absolute.
"""

import argparse
import datetime
import json
import os
import shlex
import sys
import tempfile

from benchmarks.harness import machine
from benchmarks.recipes import BACKENDS
from benchmarks.recipes import run_recipe

PRETRAINING, FINE_TUNING = "bert_pydoc_mlm", "bert_pydoc_acceptability"


def compare(backend, work_dir, pretraining_overrides=(), fine_tuning_overrides=()):
    """{"pretraining", "from_pretrained", "from_scratch": run records,
    "gain_points": accuracy from pretrained minus from scratch, x 100}."""
    pretraining = run_recipe(PRETRAINING, backend, pretraining_overrides, os.path.join(work_dir, "pretraining"))
    runs = {"pretraining": pretraining}
    for name, extra in (("from_pretrained", [f"pretrained.run={pretraining['run_directory']}"]),
                        ("from_scratch", [])):
        runs[name] = run_recipe(FINE_TUNING, backend, list(fine_tuning_overrides) + extra, os.path.join(work_dir, name))
    accuracy = {name: runs[name]["completed"]["results"]["test_accuracy"] for name in ("from_pretrained", "from_scratch")}
    runs["gain_points"] = 100 * (accuracy["from_pretrained"] - accuracy["from_scratch"])
    return runs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument("--pretraining-set", action="append", default=[], metavar="SECTION.KEY=VALUE")
    parser.add_argument("--fine-tuning-set", action="append", default=[], metavar="SECTION.KEY=VALUE")
    parser.add_argument("--json", default=os.path.join("benchmarks", "results", "cpu_bert_finetune.json"))
    args = parser.parse_args(argv)
    report = {
        "benchmark": f"{FINE_TUNING} from {PRETRAINING} against from scratch",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "command": shlex.join(["python", "-m", "benchmarks.bert_finetune"] + (sys.argv[1:] if argv is None else list(argv))),
        "args": vars(args),
        "runs": {},
    }
    for backend in args.backends:
        print(f"{backend} ...", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory() as work_dir:
            runs = compare(backend, work_dir, args.pretraining_set, args.fine_tuning_set)
        report["runs"][backend] = runs
        for name in ("pretraining", "from_pretrained", "from_scratch"):
            print(f"  {name}: {runs[name]['wall_seconds']:.0f} s: {runs[name]['last_line']}", file=sys.stderr, flush=True)
        print(f"  gain: {runs['gain_points']:+.1f} points", file=sys.stderr, flush=True)
        os.makedirs(os.path.dirname(args.json) or ".", exist_ok=True)
        with open(args.json, "w") as f:  # after every backend: a killed run keeps what it measured
            json.dump(report, f, indent=1)
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
