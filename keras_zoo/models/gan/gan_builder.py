import functools

from keras_zoo.models.gan.dcgan_networks import build_dcgan_critic
from keras_zoo.models.gan.dcgan_networks import build_dcgan_generator
from keras_zoo.models.gan.gan_model import GAN
from keras_zoo.models.gan.gan_variants import GAN_VARIANTS
from keras_zoo.registry import register_model
from keras_zoo.utils.arguments import keyword_arguments


def build_gan(
    variant, image_shape=(32, 32, 3), latent_dim=128, base_filters=64, seed=None,
    d_optimizer=None, g_optimizer=None, dtype=None, **overrides,
):
    """Builds a registered GAN variant with DCGAN-style networks, compiled
    with its paper's optimizers (or `d_optimizer` / `g_optimizer`).

    Args:
        variant: a key of `GAN_VARIANTS`: "dcgan", "wgan" or "wgan_gp".
        image_shape: `(H, W, C)`, sides multiples of 8.
        latent_dim: size of the generator's input vectors.
        base_filters: width of the first critic / last generator stage.
        seed: seeds latent vectors and interpolation weights.
        **overrides: `GAN` arguments (`n_critic`, `clip_value`, ...) and
            `critic_batch_norm`.
    """
    config = {**GAN_VARIANTS[variant], **overrides}
    critic_batch_norm = config.pop("critic_batch_norm")
    generator = build_dcgan_generator(image_shape, latent_dim, base_filters, batch_norm=True, dtype=dtype)
    critic = build_dcgan_critic(image_shape, base_filters, batch_norm=critic_batch_norm, dtype=dtype)
    model = GAN(generator, critic, seed=seed, dtype=dtype, name=variant, **config)
    model.compile(d_optimizer=d_optimizer, g_optimizer=g_optimizer)
    return model


_ARGUMENTS = keyword_arguments(build_gan, GAN.__init__, exclude=("variant", "generator", "discriminator"),
                               extra=("critic_batch_norm",))
for _name in GAN_VARIANTS:
    register_model(_name, functools.partial(build_gan, _name), _ARGUMENTS)
