"""Steps per second of the default WGAN-GP digits recipe's train step on
PyTorch (CPU), before and after the one-thread rule for small batches
(`keras_zoo.backend.gradients.torch.SINGLE_THREAD_MAX_ELEMENTS`), measured
interleaved in one process so that both see the same machine load.

    KERAS_BACKEND=torch python benchmarks/gan_torch_step.py [--rounds 4] [--steps 3]

"before": `stateful_train_step` on torch's default thread count (what
`train_step` ran until this rule); "after": `train_step`, which applies it.
Prints the median steps/s of each, their ratio, and the load average.
"""

import argparse
import os
import statistics
import time
import tomllib

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402

RECIPE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "recipes", "gan_digits_wgan_gp.toml")


def build(recipe):
    from keras_zoo import create_model

    model = dict(recipe["model"])
    optimizer = {key: value for key, value in recipe["optimizer"].items() if key != "name"}
    data = recipe["data"]
    return create_model(
        model.pop("name"),
        image_shape=(data["image_size"], data["image_size"], data["channels"]),
        seed=recipe["train"]["seed"],
        d_optimizer=keras.optimizers.Adam(**optimizer),
        g_optimizer=keras.optimizers.Adam(**optimizer),
        **model,
    )


def steps_per_second(step, batch, steps):
    start = time.perf_counter()
    for _ in range(steps):
        step(batch)
    return steps / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--steps", type=int, default=3, help="train steps per round and variant")
    args = parser.parse_args()
    if keras.backend.backend() != "torch":
        raise SystemExit(f"Run with KERAS_BACKEND=torch. Received: {keras.backend.backend()}")
    import torch

    from keras_zoo.data.gan_images import digits_gan_images

    with open(RECIPE, "rb") as f:
        recipe = tomllib.load(f)
    keras.utils.set_random_seed(recipe["train"]["seed"])
    model = build(recipe)
    images = digits_gan_images("train", recipe["data"]["image_size"])
    batch = (torch.as_tensor(images[: recipe["train"]["batch_size"]]),)
    variants = {"before": model.stateful_train_step, "after": model.train_step}
    for step in variants.values():  # warm-up: first-call allocations
        step(batch)
    results = {name: [] for name in variants}
    for _ in range(args.rounds):
        for name, step in variants.items():
            results[name].append(steps_per_second(step, batch, args.steps))
    before, after = (statistics.median(results[name]) for name in ("before", "after"))
    print(f"torch {torch.__version__}, default intra-op threads {torch.get_num_threads()}, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for name in variants:
        print(f"{name:>6}: median {statistics.median(results[name]):.3f} steps/s, rounds "
              + " ".join(f"{value:.3f}" for value in results[name]))
    print(f"after / before: {after / before:.2f}x")


if __name__ == "__main__":
    main()
