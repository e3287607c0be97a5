"""Moved to `keras_zoo.training.tasks.gan` (one file per task); this old
import path keeps working."""

from keras_zoo.training.tasks.gan import GANData  # noqa: F401
from keras_zoo.training.tasks.gan import build_gan_data  # noqa: F401
from keras_zoo.training.tasks.gan import build_gan_model  # noqa: F401
from keras_zoo.training.tasks.gan import build_gan_optimizer  # noqa: F401
from keras_zoo.training.tasks.gan import compile_gan_model  # noqa: F401
from keras_zoo.training.tasks.gan import gan_callbacks  # noqa: F401
from keras_zoo.training.tasks.gan import gan_headline  # noqa: F401
from keras_zoo.training.tasks.gan import gan_results  # noqa: F401
from keras_zoo.training.tasks.gan import generate  # noqa: F401
