"""keras_zoo: foundational architectures for Keras 3 on TensorFlow, JAX and PyTorch."""

from keras_zoo._cli_backend import select_cli_backend

select_cli_backend()  # `keras-zoo train --backend torch`: before keras is imported below

from keras_zoo.registry import create_model, list_models  # noqa: E402

# Importing the families registers their variants with the registry, and
# they and the optimizers register their classes with Keras, so `keras.saving.load_model` finds every class a
# `.keras` file of ours names after `import keras_zoo` alone.
from keras_zoo import models  # noqa: E402,F401  isort: skip
from keras_zoo import optimizers  # noqa: E402,F401  isort: skip

__version__ = "0.1.0"
__all__ = ["create_model", "list_models", "__version__"]
