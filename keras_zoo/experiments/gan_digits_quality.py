"""Trains the default WGAN-GP digits recipe and measures its samples with a
digits classifier trained once: confident fraction, class coverage and
Fréchet distance to the held-out digits.

    KERAS_BACKEND=jax python -m keras_zoo.experiments.gan_digits_quality --output-dir runs/gan_digits_jax

Prints and writes `quality.json` in the output directory.
"""

import argparse
import json
import os
import time

import keras
import numpy as np

from keras_zoo.evaluation.digit_sample_quality import digit_sample_quality
from keras_zoo.evaluation.digit_sample_quality import reference_frechet_distances
from keras_zoo.evaluation.digits_classifier import train_digits_classifier
from keras_zoo.experiments.gan_recipe import DEFAULT_DIGITS_RECIPE
from keras_zoo.experiments.gan_recipe import load_gan_recipe
from keras_zoo.experiments.gan_recipe import train_gan_recipe


def generate(generator, num_samples, seed=0, batch_size=250):
    """`num_samples` images from latents drawn with numpy's `seed`."""
    latents = np.random.default_rng(seed).standard_normal((num_samples, generator.input_shape[-1])).astype("float32")
    return np.asarray(generator.predict(latents, batch_size=batch_size, verbose=0))


def evaluate_digits_generator(generator, classifier, num_samples=1000, seed=0):
    """The quality figures of `generator`'s digits (see digit_sample_quality)."""
    return digit_sample_quality(generate(generator, num_samples, seed), classifier)


def run_gan_digits_quality(recipe_path=DEFAULT_DIGITS_RECIPE, output_dir="runs/gan_digits", epochs=None, verbose=0):
    """Trains the recipe, measures it; returns and writes the report dict."""
    recipe = load_gan_recipe(recipe_path, epochs=epochs)
    start = time.time()
    model, history, train_seconds = train_gan_recipe(recipe, output_dir, verbose=verbose)
    classifier_start = time.time()
    classifier, classifier_accuracy = train_digits_classifier(seed=recipe["train"]["seed"])
    report = {
        "backend": keras.backend.backend(),
        "recipe": os.path.basename(recipe_path),
        "epochs": recipe["train"]["epochs"],
        "generator_steps": int(keras.ops.convert_to_numpy(model.g_optimizer.iterations)),
        "train_seconds": round(train_seconds, 1),
        "train_cpu_seconds": round(history.cpu_seconds, 1),
        "classifier_test_accuracy": round(classifier_accuracy, 4),
        "classifier_seconds": round(time.time() - classifier_start, 1),
        **evaluate_digits_generator(model.generator, classifier, recipe.get("evaluate", {}).get("num_samples", 1000)),
        "reference_frechet_distances": reference_frechet_distances(classifier),
        "final_losses": {name: float(values[-1]) for name, values in history.history.items()},
    }
    report["total_seconds"] = round(time.time() - start, 1)
    with open(os.path.join(output_dir, "quality.json"), "w") as file:
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
