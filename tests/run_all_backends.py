"""Runs the whole test suite once per Keras backend, each in its own process.

    python tests/run_all_backends.py [--backends tensorflow,jax,torch] [--lanes N] [pytest args]

With two or more CPU cores the backends run in two lanes at once: JAX (its
time is mostly single-threaded XLA compilation) beside TensorFlow then
PyTorch, each process given its share of the cores. Each backend's output is
printed when it finishes; then one summary line per backend and a total.
JAX's compilations are kept in a persistent cache for the run (a temporary
directory, removed at the end): each test builds fresh models, whose
identical programs would otherwise be compiled again by every test and every
subprocess (a tiny ConvNeXt's first fit: 6.0 s compiling, 1.5 s from the
cache). XLA's CPU code generator runs at optimization level 0 in the JAX
process (`XLA_FLAGS`, unless set): the tests' tiny models spend far longer
compiling than running, and the level changes how fast the machine code is,
not what it computes (a ConvNeXt/recipe-trainer subset: 221 s -> 172 s;
benchmarks and users' runs keep XLA's default). Exits non-zero if any backend fails. A skip counts as a pass only where
tests/expected_skips.py declares it (a test for other backends); any other
skip, a missing test dependency included, fails its backend's run.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

BACKENDS = ("tensorflow", "jax", "torch")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--lanes", type=int, default=min(2, os.cpu_count() or 1),
                        help="backends run at once (default: 2 with two or more cores)")
    args, pytest_args = parser.parse_known_args()
    backends = [b for b in args.backends.split(",") if b]
    for backend in backends:
        if backend not in BACKENDS:
            parser.error(f"Unknown backend '{backend}'. Valid: {', '.join(BACKENDS)}")
    if args.lanes < 1:
        parser.error(f"--lanes must be >= 1. Received: {args.lanes}")

    lanes = _lanes(backends, args.lanes)
    threads_per_process = str(max(1, (os.cpu_count() or 1) // len(lanes)))
    results, lock = {}, threading.Lock()
    jax_cache = tempfile.mkdtemp(prefix="keras_zoo_jax_cache_")

    def run_lane(lane):
        for backend in lane:
            env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
            if len(lanes) > 1:
                env.setdefault("OMP_NUM_THREADS", threads_per_process)
            if backend == "jax":
                env.setdefault("JAX_COMPILATION_CACHE_DIR", jax_cache)
                env.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
                env.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")
                env.setdefault("XLA_FLAGS", "--xla_backend_optimization_level=0")
            start = time.time()
            proc = subprocess.run(
                [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *pytest_args],
                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            )
            with lock:
                print(f"\n===== KERAS_BACKEND={backend} =====", flush=True)
                sys.stdout.write(proc.stdout)
                sys.stdout.flush()
                results[backend] = (proc.returncode, _counts(proc.stdout), time.time() - start)

    start = time.time()
    workers = [threading.Thread(target=run_lane, args=(lane,)) for lane in lanes]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    shutil.rmtree(jax_cache, ignore_errors=True)

    totals = {"passed": 0, "failed": 0, "skipped": 0, "errors": 0}
    lines, worst = [], 0
    for backend in backends:
        returncode, counts, seconds = results[backend]
        for key in totals:
            totals[key] += counts.get(key, 0)
        if returncode not in (0, 5):  # 5: no tests collected
            worst = returncode or 1
        lines.append(f"{backend:<11} rc={returncode} {counts} in {seconds:.0f}s")
    print("\n===== summary =====")
    print("\n".join(lines))
    print(f"{totals['passed']} passed, {totals['failed'] + totals['errors']} failed, {totals['skipped']} skipped "
          f"in {time.time() - start:.0f}s with {len(lanes)} lane(s): {lanes}")
    return worst


def _lanes(backends, count):
    """JAX alone in a lane when there are two or more; the rest share the others."""
    if count == 1 or len(backends) == 1:
        return [list(backends)]
    first = [b for b in backends if b == "jax"] or backends[:1]
    rest = [b for b in backends if b not in first]
    lanes = [first] + [rest[i::count - 1] for i in range(count - 1)]
    return [lane for lane in lanes if lane]


def _counts(output):
    tail = output.strip().splitlines()[-1] if output.strip() else ""
    found = {m.group(2): int(m.group(1)) for m in re.finditer(r"(\d+) (passed|failed|skipped|errors?)", tail)}
    if "error" in found:
        found["errors"] = found.pop("error")
    return found


if __name__ == "__main__":
    sys.exit(main())
