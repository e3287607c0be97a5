"""DCGAN-style generator and critic (Radford et al., "Unsupervised
Representation Learning with Deep Convolutional GANs", 2016, Section 3):
strided (transposed) convolutions, no pooling, ReLU in the generator with a
tanh output in [-1, 1], LeakyReLU(0.2) in the critic, weights ~ N(0, 0.02).
Three stride-2 stages, so image sides must be multiples of 8."""

import keras


def validate_gan_image_shape(image_shape):
    """Checks a channels-last `(height, width, channels)` with sides that are
    positive multiples of 8."""
    if image_shape is None or len(image_shape) != 3 or any(s is None for s in image_shape):
        raise ValueError(
            "`image_shape` must be a fully known (height, width, channels), channels last. "
            f"Received: image_shape={image_shape}"
        )
    height, width, channels = image_shape
    if height < 8 or width < 8 or height % 8 or width % 8:
        raise ValueError(
            "Image height and width must be positive multiples of 8 (the networks "
            f"resample by 2 three times). Received: image_shape={tuple(image_shape)}"
        )
    if channels < 1:
        raise ValueError(f"`channels` must be >= 1. Received: image_shape={tuple(image_shape)}")
    return tuple(int(s) for s in image_shape)


def _dcgan_initializer():
    return keras.initializers.RandomNormal(mean=0.0, stddev=0.02)


def _normalization(batch_norm, dtype, name):
    # A disabled norm is an identity layer, not a branch in the graph code.
    if batch_norm:
        return keras.layers.BatchNormalization(momentum=0.9, dtype=dtype, name=name)
    return keras.layers.Identity(dtype=dtype, name=name)


def build_dcgan_generator(image_shape, latent_dim=128, base_filters=64, batch_norm=True, dtype=None, name="generator"):
    """`(B, latent_dim)` -> `(B, H, W, C)` images in [-1, 1], from an
    `(H/8, W/8, 4 * base_filters)` map upsampled three times."""
    height, width, channels = validate_gan_image_shape(image_shape)
    latents = keras.Input(shape=(latent_dim,), name="latents")
    x = keras.layers.Dense(
        (height // 8) * (width // 8) * 4 * base_filters, use_bias=not batch_norm,
        kernel_initializer=_dcgan_initializer(), dtype=dtype, name="project",
    )(latents)
    x = keras.layers.Reshape((height // 8, width // 8, 4 * base_filters), dtype=dtype, name="reshape")(x)
    x = _normalization(batch_norm, dtype, "project_norm")(x)
    x = keras.layers.ReLU(dtype=dtype, name="project_relu")(x)
    for stage, filters in enumerate((2 * base_filters, base_filters), start=1):
        x = keras.layers.Conv2DTranspose(
            filters, 4, strides=2, padding="same", use_bias=not batch_norm,
            kernel_initializer=_dcgan_initializer(), dtype=dtype, name=f"up{stage}_conv",
        )(x)  # (B, H / 2^(3 - stage), W / ..., filters)
        x = _normalization(batch_norm, dtype, f"up{stage}_norm")(x)
        x = keras.layers.ReLU(dtype=dtype, name=f"up{stage}_relu")(x)
    x = keras.layers.Conv2DTranspose(
        channels, 4, strides=2, padding="same",
        kernel_initializer=_dcgan_initializer(), dtype=dtype, name="to_image",
    )(x)
    images = keras.layers.Activation("tanh", dtype="float32", name="tanh")(x)  # (B, H, W, C)
    return keras.Model(latents, images, name=name)


def build_dcgan_critic(image_shape, base_filters=64, batch_norm=False, dtype=None, name="critic"):
    """`(B, H, W, C)` -> `(B, 1)` float32 logits (DCGAN) or scores (WGAN).
    No norm on the first layer (DCGAN, Section 3)."""
    image_shape = validate_gan_image_shape(image_shape)
    images = keras.Input(shape=image_shape, name="images")
    x = images
    for stage, filters in enumerate((base_filters, 2 * base_filters, 4 * base_filters), start=1):
        x = keras.layers.Conv2D(
            filters, 4, strides=2, padding="same", use_bias=not (batch_norm and stage > 1),
            kernel_initializer=_dcgan_initializer(), dtype=dtype, name=f"down{stage}_conv",
        )(x)  # (B, H / 2^stage, W / 2^stage, filters)
        x = _normalization(batch_norm and stage > 1, dtype, f"down{stage}_norm")(x)
        x = keras.layers.LeakyReLU(0.2, dtype=dtype, name=f"down{stage}_lrelu")(x)
    x = keras.layers.Flatten(dtype=dtype, name="flatten")(x)
    logits = keras.layers.Dense(1, kernel_initializer=_dcgan_initializer(), dtype="float32", name="score")(x)
    return keras.Model(images, logits, name=name)
