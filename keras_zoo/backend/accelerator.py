"""Whether the current backend computes on an accelerator (GPU/TPU) or the CPU.

Layers that pick a formulation per device (see
`keras_zoo.layers.DepthwiseConv2D`) ask here, because the device query is the
one thing each backend spells differently.
"""

import functools

import keras


@functools.cache
def on_accelerator():
    """True when the backend's default device is a GPU or TPU."""
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        return jax.default_backend() != "cpu"
    if backend == "tensorflow":
        import tensorflow as tf

        return bool(tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("TPU"))
    if backend == "torch":
        import torch

        return torch.cuda.is_available()  # Keras' torch backend then places tensors on cuda
    return False
