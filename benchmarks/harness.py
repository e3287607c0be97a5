"""Interleaved timing of benchmark rows, each in its own process.

Each row is a worker process (`python -m benchmarks.<family> --worker ROW`)
that builds its model once and then answers commands on stdin, one JSON line
each: {"warm": phase}, {"time": phase, "steps": n}, {"quit": true}. The parent
keeps the rows of a group alive together and asks each in turn for one
repetition, so slow and fast moments of a shared machine fall on every row
alike and the ratios between rows of one group hold better than the absolute
figures. A worker's peak resident memory is its own (`ru_maxrss`).
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import time

REPLY = "@@"  # prefix of the worker's answers on stdout; everything else is log noise


# ---------------------------------------------------------------- worker side
def serve(phases):
    """Worker loop. `phases[name]` is a zero-argument function running one
    step (and returning only when the device has finished it)."""
    _reply({"ready": True})
    for line in sys.stdin:
        command = json.loads(line)
        if "quit" in command:
            _reply({"peak_rss_mb": peak_rss_mb()})
            return
        try:
            phase = phases[command.get("warm") or command["time"]]
            if "warm" in command:
                started = time.perf_counter()
                phase()  # compiles
                compile_seconds = time.perf_counter() - started
                started = time.perf_counter()
                phase()
                _reply({"step_seconds": time.perf_counter() - started, "first_seconds": compile_seconds})
            else:
                started = time.perf_counter()
                for _ in range(command["steps"]):
                    phase()
                _reply({"seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()})
        except Exception as error:  # a row that fails is reported, not fatal
            _reply({"error": f"{type(error).__name__}: {error}"[:300]})


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _reply(message):
    sys.stdout.write(REPLY + json.dumps(message) + "\n")
    sys.stdout.flush()


# ---------------------------------------------------------------- parent side
class Worker:
    def __init__(self, module, row, env, log_directory):
        self.row = row
        log = open(os.path.join(log_directory, row.replace("/", "_") + ".log"), "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, "--worker", row],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True, env=env,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        )
        self.error = self._read().get("error")

    def ask(self, command):
        if self.error:
            return {"error": self.error}
        try:
            self.process.stdin.write(json.dumps(command) + "\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            self.error = "worker exited"
            return {"error": self.error}
        return self._read()

    def _read(self):
        for line in self.process.stdout:
            if line.startswith(REPLY):
                return json.loads(line[len(REPLY):])
        self.error = f"worker exited with code {self.process.wait()} (see its log)"
        return {"error": self.error}

    def close(self):
        reply = self.ask({"quit": True}) if not self.error else {}
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
        return reply


def run_group(module, rows, phases, repeats, env, log_directory, target_seconds=1.0, on_phase=None):
    """Times every (row, phase) of one group, interleaved. Returns
    {row: {phase: result}} with per-image seconds of each repetition."""
    workers = [Worker(module, row, env, log_directory) for row in rows]
    results = {row: {} for row in rows}
    try:
        for phase in phases:
            steps = {}
            for worker in workers:
                reply = worker.ask({"warm": phase})
                if "error" in reply:
                    results[worker.row][phase] = {"error": reply["error"]}
                else:
                    steps[worker.row] = max(1, round(target_seconds / max(reply["step_seconds"], 1e-6)))
                    results[worker.row][phase] = {"compile_seconds": reply["first_seconds"], "seconds_per_step": []}
                _log(f"  warm {worker.row} {phase}: {reply}")
            for repeat in range(repeats):
                for worker in workers:  # one repetition of every row, in turn
                    if worker.row not in steps:
                        continue
                    reply = worker.ask({"time": phase, "steps": steps[worker.row]})
                    entry = results[worker.row][phase]
                    if "error" in reply:
                        entry["error"] = reply["error"]
                        steps.pop(worker.row)
                        continue
                    entry["seconds_per_step"].append(reply["seconds"] / steps[worker.row])
                    entry["peak_rss_mb"] = reply["peak_rss_mb"]
                _log(f"  {phase} repetition {repeat + 1}/{repeats} done")
            if on_phase:
                on_phase(results)  # lets the caller keep partial results
    finally:
        for worker in workers:
            worker.close()
    return results


def summarize(seconds_per_step):
    """Median and spread (min, max) of the repetitions."""
    return {
        "median": statistics.median(seconds_per_step),
        "min": min(seconds_per_step),
        "max": max(seconds_per_step),
        "repetitions": len(seconds_per_step),
    }


def device_env(device):
    """Environment of the workers: `cpu` hides accelerators from every
    backend; `auto` leaves them visible. GPU memory grows on demand, so that
    the rows of a group fit on one device together."""
    env = dict(os.environ)
    env.update(XLA_PYTHON_CLIENT_PREALLOCATE="false", TF_FORCE_GPU_ALLOW_GROWTH="true", TF_CPP_MIN_LOG_LEVEL="2")
    if device == "cpu":
        env.update(CUDA_VISIBLE_DEVICES="", JAX_PLATFORMS="cpu")
    return env


def _log(message):
    print(message, file=sys.stderr, flush=True)
