"""Trains a GAN digits recipe through `keras-zoo train`'s trainer and writes
its report (`quality.json`): the after-training sample quality the `gan`
task measures (confident fraction, class coverage, Fréchet distance with
its real-data floor and noise ceiling), wall and CPU time.

    KERAS_BACKEND=jax python -m keras_zoo.experiments.gan_digits_quality --output-dir runs/gan_digits_jax

is `keras-zoo train gan_digits_wgan_gp --runs-dir runs/gan_digits_jax` plus
the CPU time and one JSON file for benchmark tables.
"""

import argparse
import json
import os
import time

import keras

from keras_zoo.recipes import load_recipe
from keras_zoo.training import train_recipe

DEFAULT_DIGITS_RECIPE = "gan_digits_wgan_gp"


def run_gan_digits_quality(recipe=DEFAULT_DIGITS_RECIPE, output_dir="runs/gan_digits", epochs=None, verbose=0):
    """Trains the recipe (a shipped name or a .toml path) into a run under
    `output_dir`, measures it; returns and writes the report dict."""
    recipe = load_recipe(recipe, [f"train.epochs={epochs}"] if epochs else [])
    if recipe["recipe"]["task"] != "gan" or recipe["data"]["dataset"] != "digits":
        raise ValueError(
            "Expected a GAN recipe on the digits. Received: "
            f"task={recipe['recipe']['task']!r}, dataset={recipe['data'].get('dataset')!r}"
        )
    start, cpu_start = time.time(), time.process_time()
    result = train_recipe(recipe, runs_root=output_dir, verbose=verbose)
    report = {
        "backend": keras.backend.backend(),
        "recipe": recipe["recipe"]["name"],
        "run_directory": result.run_directory,
        "epochs": recipe["train"]["epochs"],
        "train_seconds": round(result.seconds, 1),
        # The wall time it would take on an otherwise idle machine, times the cores it keeps busy.
        "cpu_seconds": round(time.process_time() - cpu_start, 1),
        **result.results,
        "final_losses": {name: float(values[-1]) for name, values in result.history.items()},
        "total_seconds": round(time.time() - start, 1),
    }
    with open(os.path.join(result.run_directory, "quality.json"), "w") as file:
        json.dump(report, file, indent=2)
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", default=DEFAULT_DIGITS_RECIPE)
    parser.add_argument("--output-dir", default=f"runs/gan_digits_{keras.backend.backend()}")
    parser.add_argument("--epochs", type=int, default=None, help="override the recipe's epochs")
    parser.add_argument("--verbose", type=int, default=0)
    args = parser.parse_args(argv)
    report = run_gan_digits_quality(args.recipe, args.output_dir, args.epochs, args.verbose)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
