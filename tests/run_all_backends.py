"""Runs the whole test suite once per Keras backend, each in its own process.

    python tests/run_all_backends.py [--backends tensorflow,jax,torch] [pytest args]

Prints one summary line per backend and a closing total; exits non-zero if
any backend fails.
"""

import argparse
import os
import re
import subprocess
import sys
import time

BACKENDS = ("tensorflow", "jax", "torch")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default=",".join(BACKENDS))
    args, pytest_args = parser.parse_known_args()
    backends = [b for b in args.backends.split(",") if b]
    for backend in backends:
        if backend not in BACKENDS:
            parser.error(f"Unknown backend '{backend}'. Valid: {', '.join(BACKENDS)}")

    totals = {"passed": 0, "failed": 0, "skipped": 0, "errors": 0}
    lines, worst = [], 0
    for backend in backends:
        env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
        start = time.time()
        print(f"\n===== KERAS_BACKEND={backend} =====", flush=True)
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *pytest_args],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        sys.stdout.write(proc.stdout)
        counts = _counts(proc.stdout)
        for key in totals:
            totals[key] += counts.get(key, 0)
        if proc.returncode not in (0, 5):  # 5: no tests collected
            worst = proc.returncode or 1
        lines.append(f"{backend:<11} rc={proc.returncode} {counts} in {time.time() - start:.0f}s")

    print("\n===== summary =====")
    print("\n".join(lines))
    print(f"{totals['passed']} passed, {totals['failed'] + totals['errors']} failed, {totals['skipped']} skipped")
    return worst


def _counts(output):
    tail = output.strip().splitlines()[-1] if output.strip() else ""
    found = {m.group(2): int(m.group(1)) for m in re.finditer(r"(\d+) (passed|failed|skipped|errors?)", tail)}
    if "error" in found:
        found["errors"] = found.pop("error")
    return found


if __name__ == "__main__":
    sys.exit(main())
