"""GANs: DCGAN, WGAN (weight clipping) and WGAN-GP, trained by one
`train_step` on TensorFlow, JAX and PyTorch."""

from keras_zoo.models.gan import gan_builder  # noqa: F401  (registers the variants)
from keras_zoo.models.gan.dcgan_networks import build_dcgan_critic
from keras_zoo.models.gan.dcgan_networks import build_dcgan_generator
from keras_zoo.models.gan.gan_builder import build_gan
from keras_zoo.models.gan.gan_losses import MinimaxGANLoss
from keras_zoo.models.gan.gan_losses import WassersteinGANLoss
from keras_zoo.models.gan.gan_model import GAN
from keras_zoo.models.gan.gan_variants import GAN_VARIANTS
from keras_zoo.models.gan.gradient_penalty import gradient_penalty

__all__ = ["GAN", "GAN_VARIANTS", "MinimaxGANLoss", "WassersteinGANLoss", "build_dcgan_critic",
           "build_dcgan_generator", "build_gan", "gradient_penalty"]
