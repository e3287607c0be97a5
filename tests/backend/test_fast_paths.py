"""Layers take a fast path exactly when `keras_zoo.backend.fast_paths` says
it applies (the layers never test the backend's name: a new block asking
the same question gets the same path)."""

import keras
import numpy as np
import pytest

from keras_zoo.backend import fast_paths
from keras_zoo.layers import Dense
from keras_zoo.layers import exact_gelu
from keras_zoo.layers import multi_head_attention
from keras_zoo.layers.multi_head_attention import MultiHeadAttention


def test_the_measured_answers_on_this_backend():
    backend = keras.backend.backend()
    assert fast_paths.fused_attention_applies() == (backend == "torch")
    assert fast_paths.gelu_saves_cdf() == (backend == "jax")


@pytest.mark.parametrize("applies", [True, False])
def test_attention_goes_fused_when_the_dispatch_says_so(monkeypatch, applies):
    calls = []
    fused = multi_head_attention.fused_dot_product_attention
    monkeypatch.setattr(multi_head_attention, "fused_dot_product_attention",
                        lambda *args: calls.append(1) or fused(*args))
    monkeypatch.setattr(fast_paths, "fused_attention_applies", lambda: applies)
    layer = MultiHeadAttention(num_heads=2, key_dim=4)
    x = np.random.default_rng(0).normal(size=(2, 3, 8)).astype("float32")
    layer(x, x)
    assert len(calls) == (1 if applies else 0)
    layer(x, x, return_attention_scores=True)  # the weights are wanted: never fused
    assert len(calls) == (1 if applies else 0)


@pytest.mark.parametrize("applies", [True, False])
def test_dense_gelu_keeps_its_cdf_when_the_dispatch_says_so(monkeypatch, applies):
    calls = []
    gelu = exact_gelu.exact_gelu
    monkeypatch.setattr(exact_gelu, "exact_gelu", lambda x: calls.append(1) or gelu(x))
    monkeypatch.setattr(fast_paths, "gelu_saves_cdf", lambda: applies)
    layer = Dense(4, activation="gelu")
    x = np.random.default_rng(0).normal(size=(2, 3)).astype("float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)),
                               keras.ops.convert_to_numpy(keras.layers.Dense.call(layer, x)), rtol=1e-6, atol=1e-6)
    assert len(calls) == (1 if applies else 0)
