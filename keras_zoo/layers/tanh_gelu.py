"""GELU with the tanh approximation: GPT-2's activation (`gelu_new` in
Hugging Face, `approximate="tanh"` in PyTorch), registered so that a
layer's config names it."""

import keras


@keras.saving.register_keras_serializable(package="keras_zoo")
def tanh_gelu(x):
    """0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))."""
    return keras.activations.gelu(x, approximate=True)
