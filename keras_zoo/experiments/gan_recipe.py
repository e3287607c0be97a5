"""Trains a GAN recipe (`recipes/gan_*.toml`): builds its model, data,
optimizers and sample-grid callback. The pieces a `task = "gan"` entry of
`keras-zoo train` needs, usable now from Python."""

import os
import time
import tomllib

import keras

from keras_zoo import create_model
from keras_zoo.callbacks import SampleGrid
from keras_zoo.data.gan_images import digits_gan_images
from keras_zoo.data.gan_images import tfds_gan_dataset

RECIPES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "recipes")
DEFAULT_DIGITS_RECIPE = os.path.join(RECIPES_DIR, "gan_digits_wgan_gp.toml")
_OPTIMIZERS = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop}


def load_gan_recipe(path=DEFAULT_DIGITS_RECIPE, epochs=None):
    """Reads a GAN recipe TOML into a dict; `epochs` overrides `[train]`."""
    with open(path, "rb") as file:
        recipe = tomllib.load(file)
    if recipe.get("task") != "gan":
        raise ValueError(f"Not a GAN recipe: expected task = \"gan\" in {path}. Received: task={recipe.get('task')!r}")
    if epochs is not None:
        recipe["train"]["epochs"] = int(epochs)
    return recipe


def build_gan_optimizer(section):
    """One optimizer from a recipe's `[optimizer]` section."""
    config = dict(section)
    name = config.pop("name")
    if name not in _OPTIMIZERS:
        raise ValueError(f"Unknown optimizer '{name}'. Valid: {', '.join(_OPTIMIZERS)}")
    return _OPTIMIZERS[name](**config)


def build_gan_model(recipe):
    """The recipe's GAN, compiled with one fresh optimizer per network."""
    model = dict(recipe["model"])
    data = recipe["data"]
    return create_model(
        model.pop("name"),
        image_shape=(data["image_size"], data["image_size"], data["channels"]),
        seed=recipe["train"]["seed"],
        d_optimizer=build_gan_optimizer(recipe["optimizer"]),
        g_optimizer=build_gan_optimizer(recipe["optimizer"]),
        **model,
    )


def build_gan_data(recipe):
    """`(x, fit_kwargs)`: images in [-1, 1] for `model.fit(x, **fit_kwargs)`."""
    data, train = recipe["data"], recipe["train"]
    if data["dataset"] == "digits":
        images = digits_gan_images("train", data["image_size"])
        return images, {"batch_size": train["batch_size"], "shuffle": True}
    dataset = tfds_gan_dataset(
        data["dataset"], data["image_size"], train["batch_size"], data.get("data_dir"), seed=train["seed"]
    )
    return dataset, {}


def build_gan_callbacks(recipe, output_dir):
    settings = recipe.get("callbacks", {})
    return [
        SampleGrid(
            os.path.join(output_dir, "samples"),
            seed=recipe["train"]["seed"],
            scale=settings.get("sample_grid_scale", 1),
            every_epochs=settings.get("sample_grid_every_epochs", 1),
        )
    ]


def train_gan_recipe(recipe, output_dir, verbose=0):
    """Trains `recipe`; writes sample grids and `generator.keras` under
    `output_dir`. Returns `(model, history, seconds)`: wall-clock seconds
    of `fit`, and in `history.cpu_seconds` the process CPU time it took
    (the wall time it would take on an otherwise idle machine, times the
    cores it keeps busy)."""
    keras.utils.set_random_seed(recipe["train"]["seed"])
    os.makedirs(output_dir, exist_ok=True)
    model = build_gan_model(recipe)
    x, fit_kwargs = build_gan_data(recipe)
    start, cpu_start = time.time(), time.process_time()
    history = model.fit(
        x, epochs=recipe["train"]["epochs"], callbacks=build_gan_callbacks(recipe, output_dir),
        verbose=verbose, **fit_kwargs,
    )
    seconds = time.time() - start
    history.cpu_seconds = time.process_time() - cpu_start
    model.generator.save(os.path.join(output_dir, "generator.keras"))
    return model, history, seconds
