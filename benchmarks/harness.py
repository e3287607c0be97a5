"""Interleaved timing of benchmark rows, each in its own process.

Each row is a worker process (`python -m benchmarks.<family> --worker ROW`)
that builds its model once and then answers commands on stdin, one JSON line
each: {"warm": phase}, {"time": phase, "steps": n}, {"quit": true}. The parent
keeps the rows of a group alive together and asks each in turn for one
repetition, so slow and fast moments of a shared machine fall on every row
alike and the ratios between rows of one group hold better than the absolute
figures. A worker's peak resident memory is its own (`ru_maxrss`).
"""

import argparse
import datetime
import json
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
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
                # Three calls: the first compiles; Keras' torch.compile'd
                # steps recompile on the second (the gradients exist from
                # then on); the third is what a step costs.
                seconds = []
                for _ in range(3):
                    started = time.perf_counter()
                    phase()
                    seconds.append(time.perf_counter() - started)
                _reply({"step_seconds": seconds[2], "first_seconds": seconds[0], "second_seconds": seconds[1]})
            else:
                faults = minor_faults()
                started = time.perf_counter()
                for _ in range(command["steps"]):
                    phase()
                _reply({"seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb(),
                        "minor_faults": minor_faults() - faults})
        except Exception as error:  # a row that fails is reported, not fatal
            _reply({"error": f"{type(error).__name__}: {error}"[:300]})


def serve_built(build):
    """Worker entry: `build()` returns the row's phases, which are then
    served; a build that raises is the row's error, reported to the parent."""
    try:
        phases = build()
    except Exception as error:
        _reply({"error": f"build failed: {type(error).__name__}: {error}"[:300]})
        return
    serve(phases)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def minor_faults():
    """Pages this process has faulted in so far: memory handed back to the
    system and touched again costs one fault per 4 KiB page."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def _reply(message):
    sys.stdout.write(REPLY + json.dumps(message) + "\n")
    sys.stdout.flush()


# ---------------------------------------------------------------- parent side
class Worker:
    def __init__(self, module, row, env, log_directory, worker_args=()):
        self.row = row
        log = open(os.path.join(log_directory, row.replace("/", "_") + ".log"), "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, "--worker", row, *worker_args],
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


def run_group(module, rows, phases, repeats, env, log_directory, target_seconds=1.0, on_phase=None,
              worker_args=()):
    """Times every (row, phase) of one group, interleaved, each row in each
    place of the order in turn. Returns
    {row: {phase: result}} with the seconds per step of each repetition.
    `worker_args` are added to each worker's command line."""
    workers = [Worker(module, row, env, log_directory, worker_args) for row in rows]
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
                    results[worker.row][phase] = {"compile_seconds": reply["first_seconds"],
                                                  "second_step_seconds": reply["second_seconds"],
                                                  "seconds_per_step": []}
                _log(f"  warm {worker.row} {phase}: {reply}")
            for repeat in range(repeats):
                # One repetition of every row, in turn, the order rotated each
                # time: the row timed right after a PyTorch row ran up to 25%
                # slower (GPT-2 on JAX, 2-core CPU, 2026-12-04), whichever it was.
                for worker in workers[repeat % len(workers):] + workers[:repeat % len(workers)]:
                    if worker.row not in steps:
                        continue
                    reply = worker.ask({"time": phase, "steps": steps[worker.row]})
                    entry = results[worker.row][phase]
                    if "error" in reply:
                        entry["error"] = reply["error"]
                        steps.pop(worker.row)
                        continue
                    entry["seconds_per_step"].append(reply["seconds"] / steps[worker.row])
                    entry.setdefault("minor_faults_per_step", []).append(reply["minor_faults"] // steps[worker.row])
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


def device_env(device, malloc_hugepages=False):
    """Environment of the workers: `cpu` hides accelerators from every
    backend; `auto` leaves them visible. GPU memory grows on demand, so that
    the rows of a group fit on one device together. `malloc_hugepages` asks
    glibc to back its large blocks with transparent huge pages, for every row
    alike: each 2 MiB page is then one fault instead of 512."""
    env = dict(os.environ)
    env.update(XLA_PYTHON_CLIENT_PREALLOCATE="false", TF_FORCE_GPU_ALLOW_GROWTH="true", TF_CPP_MIN_LOG_LEVEL="2")
    if device == "cpu":
        env.update(CUDA_VISIBLE_DEVICES="", JAX_PLATFORMS="cpu")
    # torch.compile rows compile cold, as a user's first run does: an empty inductor cache.
    env.setdefault("TORCHINDUCTOR_CACHE_DIR", tempfile.mkdtemp(prefix="inductor_cache_"))
    if malloc_hugepages:
        env["GLIBC_TUNABLES"] = ":".join(filter(None, [env.get("GLIBC_TUNABLES"), MALLOC_HUGEPAGES]))
    return env


MALLOC_HUGEPAGES = "glibc.malloc.hugetlb=1"  # glibc >= 2.35: madvise(MADV_HUGEPAGE) on its mmap'd blocks


def _log(message):
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- reports
def standard_arguments(parser, default_rows, default_json):
    """The command-line options every family's benchmark shares."""
    parser.add_argument("--rows", nargs="+", default=default_rows)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--device", default="auto", choices=["auto", "cpu"], help="auto: the GPU when present")
    parser.add_argument("--seconds-per-repetition", type=float, default=1.0)
    parser.add_argument("--json", default=default_json)
    parser.add_argument("--log-dir", help="the workers' logs; default: logs/ beside the JSON")
    add_malloc_hugepages_argument(parser)
    parser.add_argument("--worker", help=argparse.SUPPRESS)


def add_malloc_hugepages_argument(parser):
    parser.add_argument("--malloc-hugepages", action="store_true",
                        help=f"run every worker with GLIBC_TUNABLES={MALLOC_HUGEPAGES} (Linux, glibc >= 2.35)")


def groups_with_yardstick(rows, yardstick, group_of):
    """Rows grouped by `group_of(row)`, the yardstick added to each group
    (when asked for), so that every ratio comes from one interleaved run."""
    groups = {}
    for row in rows:
        groups.setdefault(group_of(row), []).append(row)
    for members in groups.values():
        if yardstick in rows and yardstick not in members:
            members.append(yardstick)
    # The yardstick's own group, when it holds nothing else, is already timed beside every other.
    return [members for members in groups.values() if members != [yardstick] or len(groups) == 1]


def measure(module, title, args, phases, rates, yardstick, group_of, worker_args=(), env=None, extra=None):
    """Times `args.rows` grouped by `group_of` on `phases` and writes the JSON
    after every phase, with the date the run started and the command that
    reproduces it. `rates[phase]` = (units per step, unit name), e.g.
    (256, "tokens/s"). Returns the report (see `format_rates`)."""
    env = env or device_env(args.device, args.malloc_hugepages)
    log_directory = args.log_dir or os.path.join(os.path.dirname(args.json) or ".", "logs")
    os.makedirs(log_directory, exist_ok=True)
    started = time.time()
    command = command_line(module)
    done = []

    def report(groups):
        value = {
            "benchmark": title, "date": iso_utc(started), "machine": machine(), "command": command,
            "yardstick": yardstick,
            "args": {k: v for k, v in vars(args).items() if k != "worker"},
            "wall_seconds": time.time() - started, "groups": groups, **(extra or {}),
        }
        os.makedirs(os.path.dirname(args.json) or ".", exist_ok=True)
        with open(args.json, "w") as file:
            json.dump(value, file, indent=1)
        return value

    for rows in groups_with_yardstick(args.rows, yardstick, group_of):
        _log(f"group {rows}")

        def summarized(results, rows=rows):
            return {"rows": rows, "results": rate_table(results, rates)}

        results = run_group(module, rows, phases, args.repeats, env, log_directory, args.seconds_per_repetition,
                            on_phase=lambda results: report(done + [summarized(results)]), worker_args=worker_args)
        done.append(summarized(results))
        report(done)
    return report(done)


def rate_table(results, rates):
    """Per row and phase: the median rate and its spread in the phase's unit."""
    table = {}
    for row, by_phase in results.items():
        for phase, entry in by_phase.items():
            out = {k: v for k, v in entry.items() if k != "seconds_per_step"}
            if entry.get("seconds_per_step"):
                units, unit = rates[phase]
                spread = summarize(entry["seconds_per_step"])
                out.update(unit=unit, rate=units / spread["median"], rate_min=units / spread["max"],
                           rate_max=units / spread["min"], repetitions=spread["repetitions"])
            table.setdefault(row, {})[phase] = out
    return table


def format_rates(report):
    """A markdown table of a report from `measure`."""
    yardstick = report["yardstick"]
    lines = [
        f"{report['benchmark']} on {report['machine']['accelerator']} ({report['machine']['cpus']} CPUs)",
        f"| group | row | phase | rate (median) | min-max | vs {yardstick} | peak RSS MB | first step s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for number, group in enumerate(report["groups"], 1):
        results = group["results"]
        for row in group["rows"]:
            for phase, entry in results.get(row, {}).items():
                if "rate" not in entry:
                    lines.append(f"| {number} | {row} | {phase} | failed: {entry.get('error', '?')} | | | | |")
                    continue
                yard = results.get(yardstick, {}).get(phase, {}).get("rate")
                ratio = f"{entry['rate'] / yard:.2f}" if yard else ""
                lines.append(
                    f"| {number} | {row} | {phase} | {entry['rate']:.2f} {entry['unit']} | "
                    f"{entry['rate_min']:.2f}-{entry['rate_max']:.2f} | {ratio} | "
                    f"{entry.get('peak_rss_mb', 0):.0f} | {entry.get('compile_seconds', 0):.1f} |"
                )
    return "\n".join(lines)


def iso_utc(timestamp):
    """`time.time()` as ISO 8601 in UTC, e.g. 2026-12-01T21:44:38+00:00."""
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).isoformat(timespec="seconds")


def command_line(module, argv=None):
    """The command that reproduces this run: `python -m module` with this
    process's arguments (`sys.argv[1:]`), less the workers' `--worker ROW`."""
    argv = list(sys.argv[1:] if argv is None else argv)
    kept = []
    while argv:
        argument = argv.pop(0)
        if argument == "--worker":
            argv[:1] = []  # and its value
        elif not argument.startswith("--worker="):
            kept.append(argument)
    return shlex.join(["python", "-m", module, *kept])


def machine():
    import multiprocessing
    import platform

    return {"platform": platform.platform(), "processor": platform.processor(), "cpus": multiprocessing.cpu_count(),
            "load_average": os.getloadavg(), "accelerator": accelerator_name()}


def accelerator_name():
    """The GPU's name when one is visible to PyTorch, else "CPU"."""
    if os.environ.get("CUDA_VISIBLE_DEVICES") == "":
        return "CPU"
    try:
        import torch

        return torch.cuda.get_device_name(0) if torch.cuda.is_available() else "CPU"
    except ImportError:
        return "CPU"


def keras_jit_compile(implementation, backend):
    """`model.compile(jit_compile=...)` for a keras row: `...:compile` rows
    take `torch.compile` (True); the others Keras' "auto", which is eager on
    PyTorch: said explicitly there, so that they stay the eager row when
    keras_zoo's own "auto" compiles (keras_zoo.backend.fast_paths)."""
    if "compile" in implementation.split(":")[1:]:
        return True
    return False if backend == "torch" else "auto"
