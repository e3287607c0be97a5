"""ConvNeXt-T at 224x224: inference and training (forward, backward, AdamW
step) images/s of keras_zoo, keras.applications.ConvNeXtTiny and timm's
convnext_tiny, each backend and implementation in its own process.

    python -m benchmarks.convnext                      # all rows, batch 8 and 32
    python -m benchmarks.convnext --batch-sizes 8 --repeats 3 --device cpu
    python -m benchmarks.convnext --rows keras_zoo/jax keras_zoo:native/jax timm/eager
    python -m benchmarks.convnext --one-process --device cpu --batch-sizes 8 --repeats 8 \
        --rows keras_zoo/torch keras.applications/torch timm/eager

Rows are `implementation/backend`; `keras_zoo:native`, `keras_zoo:shifted` and `keras_zoo:batched_grad`
force the depthwise formulation (see keras_zoo.layers.DepthwiseConv2D), and
`keras_zoo:keras_adamw` trains with Keras' AdamW instead of the recipes'
`FusedAdamW` (the same update; one fused kernel per variable on PyTorch);
`keras_zoo:compile/torch` compiles the steps with `torch.compile`
(jit_compile=True; the plain torch rows are eager).
keras.applications rows train with Keras' AdamW, `timm/eager` and
`timm/compile` with `torch.optim.AdamW`'s defaults (a for-loop on the CPU),
`timm/fused` with `torch.optim.AdamW(fused=True)`. The
rows of one backend run interleaved with timm eager as the common yardstick;
the table gives images/s (median and min-max of the repetitions), achieved
GFLOP/s and its share of the measured float32 matmul rate, and peak RSS.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

from benchmarks import harness
from benchmarks.matmul_rate import matmul_gflops

IMAGE_SIZE = 224
NUM_CLASSES = 1000
DEFAULT_ROWS = [
    "keras_zoo/jax", "keras.applications/jax",
    "keras_zoo/tensorflow", "keras.applications/tensorflow",
    "keras_zoo/torch", "keras_zoo:compile/torch", "keras.applications/torch",
    "timm/eager", "timm/compile",
]
YARDSTICK = "timm/eager"


# ---------------------------------------------------------------- workers
def keras_phases(implementation, backend, batch_sizes):
    os.environ["KERAS_BACKEND"] = backend
    import keras
    import numpy as np

    if implementation.startswith("keras_zoo"):
        import keras_zoo
        from keras_zoo.training import FusedAdamW

        model = keras_zoo.create_model(
            "convnext_tiny", num_classes=NUM_CLASSES, input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3), classifier_activation=None
        )
        options = implementation.split(":")[1:]  # keras_zoo:native, :shifted, :batched_grad, :keras_adamw, :compile
        for formulation in set(options) & {"native", "shifted", "batched_grad"}:
            for layer in model._flatten_layers():
                if isinstance(layer, keras_zoo.layers.DepthwiseConv2D):
                    layer.formulation = formulation
        # What the recipes build (Keras' update, fused on PyTorch), unless asked for Keras' own.
        optimizer = keras.optimizers.AdamW(1e-4) if "keras_adamw" in options else FusedAdamW(1e-4)
    else:
        optimizer = keras.optimizers.AdamW(1e-4)
        model = keras.applications.ConvNeXtTiny(
            weights=None, include_preprocessing=False, classes=NUM_CLASSES,
            input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3), classifier_activation=None,
        )
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        jit_compile=harness.keras_jit_compile(implementation, backend),
    )
    rng = np.random.default_rng(0)
    phases = {}
    for batch in batch_sizes:
        x = rng.standard_normal((batch, IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.float32)
        y = rng.integers(0, NUM_CLASSES, size=(batch,))
        phases[f"infer_b{batch}"] = lambda x=x: model.predict_on_batch(x)  # returns numpy: synchronised
        phases[f"train_b{batch}"] = lambda x=x, y=y: model.train_on_batch(x, y)
    return phases


def timm_phases(mode, batch_sizes):
    import timm
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = timm.create_model("convnext_tiny", num_classes=NUM_CLASSES).to(device)
    # PyTorch's defaults (a for-loop over the tensors on the CPU), or its fused kernel.
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, fused=True if mode == "fused" else None)
    loss_fn = torch.nn.CrossEntropyLoss()
    forward = torch.compile(model) if mode == "compile" else model
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)

    def infer(x):
        model.eval()
        with torch.inference_mode():
            forward(x)
        sync()

    def train(x, y):
        model.train()
        optimizer.zero_grad(set_to_none=True)
        loss_fn(forward(x), y).backward()
        optimizer.step()
        sync()

    phases = {}
    for batch in batch_sizes:
        x = torch.randn(batch, 3, IMAGE_SIZE, IMAGE_SIZE, device=device)
        y = torch.randint(0, NUM_CLASSES, (batch,), device=device)
        phases[f"infer_b{batch}"] = lambda x=x: infer(x)
        phases[f"train_b{batch}"] = lambda x=x, y=y: train(x, y)
    return phases


def build_phases(row, batch_sizes):
    implementation, variant = row.split("/")
    if implementation == "timm":
        return timm_phases(variant, batch_sizes)
    return keras_phases(implementation, variant, batch_sizes)


def worker(row, batch_sizes):
    harness.serve_built(lambda: build_phases(row, batch_sizes))


def one_process(rows, phases, repeats, batch_sizes):
    """Every row built in this one process and timed alternately, one step
    each in turn, the order reversed every other repetition: a check on the
    process-per-row figures, where the rows differ by less than the spread
    between processes. One Keras backend per process: torch rows and timm."""
    import numpy as np

    backends = {row.split("/")[1] for row in rows if not row.startswith("timm")}
    if backends - {"torch"}:
        raise SystemExit(f"--one-process takes torch and timm rows only. Received: {rows}")
    built = {row: build_phases(row, batch_sizes) for row in rows}
    lines = ["| phase | row | seconds per step (median) | min-max | vs timm eager |", "|---|---|---|---|---|"]
    for phase in phases:
        for row in rows:
            built[row][phase]()
            built[row][phase]()  # warm-up: two steps
        seconds = {row: [] for row in rows}
        for repetition in range(repeats):
            for row in rows if repetition % 2 == 0 else rows[::-1]:
                started = time.perf_counter()
                built[row][phase]()
                seconds[row].append(time.perf_counter() - started)
        yard = np.median(seconds[YARDSTICK]) if YARDSTICK in seconds else None
        for row in rows:
            median = np.median(seconds[row])
            ratio = f"{yard / median:.2f}" if yard else ""
            lines.append(f"| {phase} | {row} | {median:.3f} | {min(seconds[row]):.3f}-{max(seconds[row]):.3f} | {ratio} |")
    print("\n".join(lines))


# ---------------------------------------------------------------- parent
def groups_of(rows):
    """One group per backend, each with the yardstick; timm alone if asked alone."""
    groups = {}
    for row in rows:
        implementation, variant = row.split("/")
        key = "torch" if implementation == "timm" else variant
        groups.setdefault(key, []).append(row)
    for key, members in groups.items():
        if YARDSTICK in rows and YARDSTICK not in members:
            members.append(YARDSTICK)
    if groups.get("torch") == [YARDSTICK] and len(groups) > 1:
        del groups["torch"]  # already timed beside every other group
    return list(groups.values())


def flops_per_image(phase):
    from keras_zoo.models.convnext.convnext_variants import convnext_macs

    forward = 2 * convnext_macs((3, 3, 9, 3), (96, 192, 384, 768), IMAGE_SIZE, NUM_CLASSES)
    return forward if phase.startswith("infer") else 3 * forward  # backward ~ 2x forward


def main():
    os.environ.setdefault("KERAS_BACKEND", "torch")  # the parent imports keras_zoo only for the FLOP count
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", nargs="+", default=DEFAULT_ROWS)
    parser.add_argument("--batch-sizes", nargs="+", type=int, default=[8, 32])
    parser.add_argument("--phases", nargs="+", default=["infer", "train"], choices=["infer", "train"])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--device", default="auto", choices=["auto", "cpu"], help="auto: the GPU when present")
    parser.add_argument("--seconds-per-repetition", type=float, default=1.0)
    parser.add_argument("--json", default="benchmarks/results/convnext.json")
    parser.add_argument("--log-dir", help="the workers' logs; default: logs/ beside the JSON")
    parser.add_argument("--one-process", action="store_true",
                        help="torch and timm rows built in this process and timed alternately (no JSON)")
    harness.add_malloc_hugepages_argument(parser)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.batch_sizes)
    if args.one_process:
        if args.malloc_hugepages:  # glibc reads its tunables when the process starts
            raise SystemExit(f"--malloc-hugepages starts workers; with --one-process, set "
                             f"GLIBC_TUNABLES={harness.MALLOC_HUGEPAGES} before the command instead.")
        os.environ.update(harness.device_env(args.device))  # before torch is imported
        return one_process(args.rows, [f"{p}_b{b}" for b in args.batch_sizes for p in args.phases], args.repeats,
                           args.batch_sizes)

    phases = [f"{p}_b{b}" for b in args.batch_sizes for p in args.phases]
    env = harness.device_env(args.device, args.malloc_hugepages)
    env["BENCHMARK_BATCH_SIZES"] = " ".join(map(str, args.batch_sizes))
    log_directory = args.log_dir or os.path.join(os.path.dirname(args.json), "logs")
    os.makedirs(log_directory, exist_ok=True)
    started = time.time()
    matmul = matmul_gflops(args.device)
    print(f"float32 matmul: {matmul['gflops']:.0f} GFLOP/s on {matmul['device']}", file=sys.stderr)
    groups = []
    for rows in groups_of(args.rows):
        print(f"group {rows}", file=sys.stderr)
        partial = lambda results: _write(args, matmul, started, groups + [{"rows": rows, "results": _images_per_second(results, matmul)}])
        results = harness.run_group("benchmarks.convnext", rows, phases, args.repeats, env, log_directory,
                                    args.seconds_per_repetition, on_phase=partial)
        groups.append({"rows": rows, "results": _images_per_second(results, matmul)})
        _write(args, matmul, started, groups)  # after each group, so an interrupted run keeps what it measured
    print(format_table(_write(args, matmul, started, groups)))


def _write(args, matmul, started, groups):
    report = {
        "benchmark": "convnext_tiny 224x224 float32",
        "date": harness.iso_utc(started),
        "machine": _machine(matmul),
        "command": harness.command_line("benchmarks.convnext"),
        "matmul": matmul,
        "args": {k: v for k, v in vars(args).items() if k != "worker"},
        "wall_seconds": time.time() - started,
        "groups": groups,
    }
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as file:
        json.dump(report, file, indent=1)
    return report


def _images_per_second(results, matmul):
    table = {}
    for row, by_phase in results.items():
        for phase, entry in by_phase.items():
            batch = int(phase.split("_b")[1])
            out = {k: v for k, v in entry.items() if k != "seconds_per_step"}
            if entry.get("seconds_per_step"):
                spread = harness.summarize(entry["seconds_per_step"])
                out["minor_faults_per_step_median"] = statistics.median(entry["minor_faults_per_step"])
                out.update(
                    images_per_second=batch / spread["median"],
                    images_per_second_min=batch / spread["max"],
                    images_per_second_max=batch / spread["min"],
                    repetitions=spread["repetitions"],
                )
                out["gflops"] = out["images_per_second"] * flops_per_image(phase) / 1e9
                out["matmul_fraction"] = out["gflops"] / matmul["gflops"]
            table.setdefault(row, {})[phase] = out
    return table


def _machine(matmul):
    import multiprocessing

    return {"platform": platform.platform(), "processor": platform.processor(), "cpus": multiprocessing.cpu_count(),
            "load_average": os.getloadavg(), "accelerator": matmul["device"]}


def format_table(report):
    lines = [
        f"ConvNeXt-T 224x224 float32 on {report['machine']['accelerator']} ({report['machine']['cpus']} CPUs); "
        f"float32 matmul {report['matmul']['gflops']:.0f} GFLOP/s",
        "| group | row | phase | images/s (median) | min-max | vs timm eager | GFLOP/s | of matmul | peak RSS MB | "
        "page faults per step | first step s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for number, group in enumerate(report["groups"], 1):
        results = group["results"]
        for row in group["rows"]:
            for phase, entry in results.get(row, {}).items():
                if "images_per_second" not in entry:
                    lines.append(f"| {number} | {row} | {phase} | failed: {entry.get('error', '?')} | | | | | | | |")
                    continue
                yard = results.get(YARDSTICK, {}).get(phase, {}).get("images_per_second")
                ratio = f"{entry['images_per_second'] / yard:.2f}" if yard else ""
                lines.append(
                    f"| {number} | {row} | {phase} | {entry['images_per_second']:.2f} | "
                    f"{entry['images_per_second_min']:.2f}-{entry['images_per_second_max']:.2f} | {ratio} | "
                    f"{entry['gflops']:.1f} | {100 * entry['matmul_fraction']:.0f}% | {entry.get('peak_rss_mb', 0):.0f} | "
                    f"{entry.get('minor_faults_per_step_median', 0):.0f} | {entry.get('compile_seconds', 0):.1f} |"
                )
    return "\n".join(lines)


if __name__ == "__main__":
    if "--worker" in sys.argv and "--batch-sizes" not in sys.argv:  # workers take the parent's sizes
        sys.argv += ["--batch-sizes"] + os.environ.get("BENCHMARK_BATCH_SIZES", "8 32").split()
    main()
