"""Small models for the export tests, with outputs of order 1 (freshly
initialised GAN generators and ConvNeXt heads output ~1e-3, which would make
a 1e-4 tolerance meaningless)."""

import keras
import numpy as np

import keras_zoo
from keras_zoo.models.gan.dcgan_networks import build_dcgan_generator


def gan_generator():
    # The generator alone: building the whole GAN costs seconds on JAX.
    generator = build_dcgan_generator((8, 8, 1), latent_dim=16, base_filters=8)
    _scale_kernels(generator, 8.0)
    return generator


def any_size_convnext():
    model = keras_zoo.create_model(
        "convnext_atto", depths=(1, 1, 1, 1), dims=(8, 16, 32, 64), num_classes=5,
        input_shape=(None, None, 3), head_init_scale=1.0,
    )
    _scale_kernels(model, 4.0)
    return model


def small_transformer():
    return keras_zoo.create_model(
        "transformer_tiny", num_layers=1, hidden_dim=32, intermediate_dim=64, num_heads=2, vocabulary_size=50
    )


def output_scale(model, sample):
    return float(np.max(np.abs(keras.ops.convert_to_numpy(model(sample, training=False)))))


def _scale_kernels(model, factor):
    for variable in model.weights:
        if variable.path.endswith("kernel"):
            variable.assign(variable * factor)
