"""One AdamW update of ConvNeXt-T's trainable variables on the PyTorch
backend: Keras' `keras.optimizers.AdamW`, keras_zoo's `FusedAdamW` (the
recipes' AdamW), `torch.optim.AdamW` with PyTorch's defaults (a for-loop over
the tensors on the CPU) and `torch.optim.AdamW(fused=True)`.

    python -m benchmarks.optimizer_update                   # CPU, 50 repetitions
    python -m benchmarks.optimizer_update --repeats 2 --warmup 1 --json /tmp/optimizer_update.json

Each optimizer updates its own copy of the variables of
`keras_zoo.create_model("convnext_tiny")` with the same fixed random
gradients, all four with one configuration (learning rate 1e-3, betas 0.9 and
0.999, epsilon 1e-8, weight decay 0.05 on every variable). After the warm-up
updates, the repetitions are interleaved (A B C D A B C D ...), one update
timed per optimizer and repetition; the table gives the median and min-max in
ms and the ratio to `torch.optim.AdamW(fused=True)` from the same run. The
JSON (`--json`) also holds the largest difference between the weights that
Keras' AdamW and `FusedAdamW` reach, which should be rounding only.
"""

import argparse
import json
import os
import sys
import time

from benchmarks import harness

OPTIMIZERS = {  # key: label in the table
    "keras_adamw": "keras.optimizers.AdamW",
    "keras_zoo_fused_adamw": "keras_zoo FusedAdamW",
    "torch_adamw": "torch.optim.AdamW (defaults)",
    "torch_adamw_fused": "torch.optim.AdamW(fused=True)",
}
YARDSTICK = "torch_adamw_fused"
SETTINGS = {"learning_rate": 1e-3, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8, "weight_decay": 0.05}


def build_updates(device):
    """{key: zero-argument function running one update}, the Keras weights
    of the two Keras optimizers, and the model's weight and variable count."""
    import keras
    import numpy as np
    import torch

    import keras_zoo
    from keras_zoo.training import FusedAdamW

    model = keras_zoo.create_model("convnext_tiny")
    weights = [np.asarray(keras.ops.convert_to_numpy(v.value)) for v in model.trainable_variables]
    rng = np.random.default_rng(0)
    grads = [torch.as_tensor(rng.standard_normal(w.shape, dtype=np.float32), device=device) for w in weights]
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)

    updates, keras_weights = {}, {}
    for key, optimizer_class in (("keras_adamw", keras.optimizers.AdamW), ("keras_zoo_fused_adamw", FusedAdamW)):
        variables = [keras.Variable(w, name=f"w{i}") for i, w in enumerate(weights)]
        optimizer = optimizer_class(**SETTINGS)
        optimizer.build(variables)
        keras_weights[key] = variables
        updates[key] = lambda optimizer=optimizer, variables=variables: (optimizer.apply(grads, variables), sync())

    for key, fused in (("torch_adamw", None), ("torch_adamw_fused", True)):
        parameters = [torch.nn.Parameter(torch.as_tensor(w, device=device).clone()) for w in weights]
        for parameter, grad in zip(parameters, grads):
            parameter.grad = grad  # PyTorch's update reads the gradient, never writes it
        optimizer = torch.optim.AdamW(
            parameters, lr=SETTINGS["learning_rate"], betas=(SETTINGS["beta_1"], SETTINGS["beta_2"]),
            eps=SETTINGS["epsilon"], weight_decay=SETTINGS["weight_decay"], fused=fused,
        )
        updates[key] = lambda optimizer=optimizer: (optimizer.step(), sync())
    return updates, keras_weights, {"weights": int(sum(w.size for w in weights)), "variables": len(weights)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=50, help="timed updates per optimizer, interleaved")
    parser.add_argument("--warmup", type=int, default=5, help="untimed updates per optimizer first")
    parser.add_argument("--device", default="cpu", choices=["cpu", "auto"], help="auto: the GPU when present")
    parser.add_argument("--threads", type=int, help="torch.set_num_threads (default: PyTorch's)")
    parser.add_argument("--json", default="benchmarks/results/cpu_optimizer_update.json")
    args = parser.parse_args(argv)
    started = time.time()
    command = harness.command_line("benchmarks.optimizer_update", argv)
    os.environ.update(harness.device_env(args.device))  # before torch is imported
    os.environ["KERAS_BACKEND"] = "torch"
    import keras
    import numpy as np
    import torch

    if keras.backend.backend() != "torch":
        raise SystemExit(f"keras was imported with backend '{keras.backend.backend()}' before 'torch' was set.")
    if args.threads:
        torch.set_num_threads(args.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"

    updates, keras_weights, size = build_updates(device)
    for update in updates.values():
        for _ in range(args.warmup):
            update()
    seconds = {key: [] for key in updates}
    for repetition in range(args.repeats):
        for key, update in updates.items():  # A B C D, A B C D, ...
            begun = time.perf_counter()
            update()
            seconds[key].append(time.perf_counter() - begun)
        print(f"  repetition {repetition + 1}/{args.repeats} done", file=sys.stderr, flush=True)

    yard = harness.summarize(seconds[YARDSTICK])["median"]
    results = {}
    for key, timings in seconds.items():
        spread = harness.summarize(timings)
        results[key] = {
            "label": OPTIMIZERS[key], "median_ms": 1e3 * spread["median"], "min_ms": 1e3 * spread["min"],
            "max_ms": 1e3 * spread["max"], "repetitions": spread["repetitions"],
            f"vs_{YARDSTICK}": spread["median"] / yard, "ms": [1e3 * s for s in timings],
        }
    difference = max(
        float(np.max(np.abs(keras.ops.convert_to_numpy(a) - keras.ops.convert_to_numpy(b))))
        for a, b in zip(keras_weights["keras_adamw"], keras_weights["keras_zoo_fused_adamw"])
    )
    report = {
        "benchmark": "one AdamW update of convnext_tiny's trainable variables, PyTorch backend, float32",
        "date": harness.iso_utc(started),
        "machine": harness.machine(),
        "command": command,
        "args": vars(args),
        "device": device,
        "torch_threads": torch.get_num_threads(),
        "versions": {"torch": torch.__version__, "keras": keras.__version__},
        "settings": SETTINGS,
        **size,
        "updates_per_optimizer": args.warmup + args.repeats,
        "max_abs_difference_keras_adamw_vs_fused": difference,
        "results": results,
    }
    os.makedirs(os.path.dirname(args.json) or ".", exist_ok=True)
    with open(args.json, "w") as file:
        json.dump(report, file, indent=1)
    print(format_table(report))
    return 0


def format_table(report):
    yard = OPTIMIZERS[YARDSTICK]
    title = (
        f"One AdamW update, {report['weights']:,} weights in {report['variables']} variables, on "
        f"{report['machine']['accelerator']} ({report['torch_threads']} threads, {report['machine']['cpus']} CPUs); "
        f"Keras AdamW vs FusedAdamW weights: max |difference| {report['max_abs_difference_keras_adamw_vs_fused']:.2g}"
    )
    lines = [title, f"| optimizer | ms per update (median) | min-max | vs {yard} |", "|---|---|---|---|"]
    for entry in report["results"].values():
        lines.append(f"| {entry['label']} | {entry['median_ms']:.1f} | {entry['min_ms']:.1f}-{entry['max_ms']:.1f} | "
                     f"{entry[f'vs_{YARDSTICK}']:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
