import keras
import numpy as np

from keras_zoo.layers import Dense
from keras_zoo.layers import exact_gelu
from keras_zoo.testing import check_same_as_keras


def test_same_values_and_gradients_as_keras_gelu():
    # Outputs, and the input gradient through the Dense that check_same_as_keras puts before it.
    check_same_as_keras(lambda: keras.layers.Activation(exact_gelu.exact_gelu),
                        lambda: keras.layers.Activation(keras.activations.gelu), (4, 5, 6))


def test_keeps_the_input_dtype():
    x = keras.ops.cast(np.linspace(-3, 3, 7), "bfloat16")
    assert keras.backend.standardize_dtype(exact_gelu.exact_gelu(x).dtype) == "bfloat16"


def test_dense_uses_it_on_jax_only(monkeypatch):
    calls = []
    gelu = exact_gelu.exact_gelu
    monkeypatch.setattr(exact_gelu, "exact_gelu", lambda x: calls.append(1) or gelu(x))
    Dense(3, activation="gelu")(np.ones((2, 4), "float32"))
    Dense(3, activation="relu")(np.ones((2, 4), "float32"))
    assert len(calls) == (1 if keras.backend.backend() == "jax" else 0)
