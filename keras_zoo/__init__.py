"""keras_zoo: foundational architectures for Keras 3 on TensorFlow, JAX and PyTorch."""

from keras_zoo.registry import create_model, list_models

__version__ = "0.1.0"
__all__ = ["create_model", "list_models", "__version__"]
