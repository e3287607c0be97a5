"""The `gan` task: DCGAN / WGAN / WGAN-GP with one optimizer per network.

A GAN has no validation set and no loss to pick a "best" epoch by, so a
run keeps the last checkpoint only (the whole GAN as `last.keras`, plus the
plain `generator.keras` to sample from), writes a sample grid every few
epochs, and measures its samples once training ends: on the digits, the
share a digits classifier labels confidently, how many of the 10 classes
appear, and the Fréchet distance to the held-out digits in that
classifier's feature space (keras_zoo/evaluation/)."""

import os

import keras
import numpy as np

from keras_zoo.recipes.fields import COMMON_SECTIONS
from keras_zoo.recipes.fields import Field
from keras_zoo.recipes.fields import below_one
from keras_zoo.recipes.fields import non_negative
from keras_zoo.recipes.fields import positive
from keras_zoo.recipes.fields import multiple_of_8
from keras_zoo.recipes.fields import without
from keras_zoo.training.tasks.task import Task
from keras_zoo.training.tasks.task import register_task

# DCGAN / WGAN / WGAN-GP: no validation set; quality is measured after training.
SCHEMA = {
    "recipe": COMMON_SECTIONS["recipe"],
    "model": {
        "name": Field(str, None, "a GAN variant", choices=("dcgan", "wgan", "wgan_gp")),
        "latent_dim": Field(int, None, "an int > 0", positive),
        "base_filters": Field(int, None, "an int > 0", positive),
        "n_critic": Field(int, None, "an int >= 1 (critic updates per generator update)", positive),
        "gradient_penalty_weight": Field(float, None, "a float >= 0 (WGAN-GP lambda)", non_negative),
        "clip_value": Field(float, None, "a float > 0 (WGAN weight clipping c)", positive),
    },
    "data": {
        "dataset": Field(str, "digits", "a GAN dataset", choices=("digits", "mnist", "celeb_a")),
        "data_dir": Field(str, "", "a tensorflow-datasets data directory ('' for tfds' default)"),
        "image_size": Field(int, 8, "a multiple of 8", multiple_of_8),
        "channels": Field(int, 1, "1 or 3", lambda v: v in (1, 3)),
    },
    "train": without(COMMON_SECTIONS["train"], "label_smoothing"),
    "optimizer": {  # one instance per network
        "name": Field(str, "adam", "an optimizer", choices=("adam", "rmsprop")),
        "learning_rate": Field(float, 1e-4, "a float > 0", positive),
        "beta_1": Field(float, 0.0, "a float in [0, 1) (adam)", below_one),
        "beta_2": Field(float, 0.9, "a float in [0, 1) (adam)", below_one),
    },
    "callbacks": {
        "sample_grid_every_epochs": Field(int, 1, "an int >= 1", positive),
        "sample_grid_scale": Field(int, 1, "an int >= 1 (pixels per sample pixel)", positive),
    },
    "evaluate": {
        "num_samples": Field(int, 1000, "an int > 0 (generated images judged after training)", positive),
        "classifier_epochs": Field(int, 40, "an int > 0 (training of the digits classifier that judges)", positive),
    },
}

_OPTIMIZERS = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop}


class GANData:
    """`.train`: batches of images in [-1, 1]; no validation data."""

    validation = None

    def __init__(self, train, steps_per_epoch):
        self.train = train
        self.steps_per_epoch = steps_per_epoch


def build_gan_data(recipe):
    from keras_zoo.data.gan_images import ImageBatches
    from keras_zoo.data.gan_images import digits_gan_images
    from keras_zoo.data.gan_images import tfds_gan_dataset

    data, train = recipe["data"], recipe["train"]
    if data["dataset"] == "digits":
        batches = ImageBatches(digits_gan_images("train", data["image_size"]), train["batch_size"], seed=train["seed"])
        return GANData(batches, len(batches))
    dataset = tfds_gan_dataset(data["dataset"], data["image_size"], train["batch_size"], data["data_dir"],
                               seed=train["seed"])
    return GANData(dataset, int(dataset.cardinality()))


def build_gan_optimizer(section):
    """One optimizer from a recipe's [optimizer] section (beta_1 and beta_2 are Adam's)."""
    kwargs = {"learning_rate": section["learning_rate"]}
    if section["name"] == "adam":
        kwargs.update(beta_1=section["beta_1"], beta_2=section["beta_2"])
    return _OPTIMIZERS[section["name"]](**kwargs)


def build_gan_model(recipe, data=None):
    """The recipe's GAN, compiled with one fresh optimizer per network."""
    from keras_zoo import create_model

    overrides = {key: value for key, value in recipe["model"].items() if key != "name"}
    image = recipe["data"]
    return create_model(
        recipe["model"]["name"],
        image_shape=(image["image_size"], image["image_size"], image["channels"]),
        seed=recipe["train"]["seed"],
        d_optimizer=build_gan_optimizer(recipe["optimizer"]),
        g_optimizer=build_gan_optimizer(recipe["optimizer"]),
        **overrides,
    )


def compile_gan_model(recipe, model, data=None):
    """Nothing to do: `build_gan_model` compiles with both optimizers."""


def gan_callbacks(recipe, run_directory, data=None):
    from keras_zoo.callbacks import SampleGrid

    settings = recipe["callbacks"]
    return [
        SampleGrid(os.path.join(run_directory, "samples"), seed=recipe["train"]["seed"],
                   scale=settings["sample_grid_scale"], every_epochs=settings["sample_grid_every_epochs"]),
        _SaveGenerator(os.path.join(run_directory, "generator.keras")),
    ]


class _SaveGenerator(keras.callbacks.Callback):
    """`generator.keras` after every epoch: a plain Keras model to sample from."""

    def __init__(self, path):
        super().__init__()
        self.path = path

    def on_epoch_end(self, epoch, logs=None):
        self.model.generator.save(self.path)


def generate(generator, num_samples, seed=0, batch_size=250):
    """`num_samples` images from latents drawn with numpy's `seed`."""
    latent_dim = generator.input_shape[-1]
    latents = np.random.default_rng(seed).standard_normal((num_samples, latent_dim)).astype("float32")
    return np.asarray(generator.predict(latents, batch_size=batch_size, verbose=0))


def gan_results(recipe, model, data=None):
    """Sample quality after training (digits only: the judge is a digits
    classifier, trained here from the recipe's seed)."""
    if recipe["data"]["dataset"] != "digits":
        return {}
    from keras_zoo.evaluation.digit_sample_quality import digit_sample_quality
    from keras_zoo.evaluation.digit_sample_quality import reference_frechet_distances
    from keras_zoo.evaluation.digits_classifier import train_digits_classifier

    classifier, accuracy = train_digits_classifier(recipe["evaluate"]["classifier_epochs"], seed=recipe["train"]["seed"])
    samples = generate(model.generator, recipe["evaluate"]["num_samples"], seed=recipe["train"]["seed"])
    return {
        **digit_sample_quality(samples, classifier),
        "num_samples": len(samples),
        "classifier_test_accuracy": accuracy,
        # What a perfect generator (real train digits) and uniform noise score: the scale.
        "reference_frechet_distances": reference_frechet_distances(classifier, seed=recipe["train"]["seed"]),
    }


def gan_headline(result):
    quality = result.results
    if not quality:
        return "no sample-quality metric for this dataset; see the sample grids in samples/"
    reference = quality["reference_frechet_distances"]
    return (f"{quality['confident_fraction']:.1%} of {quality['num_samples']} samples classified "
            f"confidently, {quality['class_coverage']}/10 classes, Fréchet distance "
            f"{quality['frechet_distance']:.1f} (real digits {reference['real_train']:.1f}, "
            f"noise {reference['uniform_noise']:.0f})")


TASK = register_task("gan", Task(
    schema=SCHEMA,
    build_data=build_gan_data,
    build_model=build_gan_model,
    build_loss=None,  # the GAN's own train_step holds both losses
    build_metrics=None,
    monitor=None,
    monitor_mode=None,
    compile_model=compile_gan_model,
    callbacks=gan_callbacks,
    after_fit=gan_results,
    headline=gan_headline,
))
