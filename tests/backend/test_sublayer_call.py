import keras
import numpy as np
import pytest

from keras_zoo.backend import sublayer_call as sublayer_call_module
from keras_zoo.backend.sublayer_call import sublayer_call
from keras_zoo.layers import Dense, DepthwiseConv2D
from keras_zoo.models.convnext.convnext_block import ConvNeXtBlock
from keras_zoo.testing.keras_equivalence import check_same_as_keras

SHAPE = (2, 8, 8, 16)


def _ran_keras_call(layer, inputs):
    """Whether `sublayer_call` went through Keras' `Layer.__call__` (which sets `_called`)."""
    layer._called = False
    sublayer_call(layer, inputs)
    return layer._called


class _Parent(keras.layers.Layer):
    """A parent layer that calls its one sublayer through `sublayer_call`, as
    the ConvNeXt block calls its own."""

    def __init__(self, inner, **kwargs):
        super().__init__(**kwargs)
        self.inner = inner

    def build(self, input_shape):
        self.inner.build(input_shape)

    def call(self, inputs):
        return sublayer_call(self.inner, inputs)

    def compute_output_shape(self, input_shape):
        return self.inner.compute_output_shape(input_shape)


# (keras_zoo's or Keras' layer called through the fast path, Keras' own layer)
_PAIRS = [
    (lambda: Dense(5), lambda: keras.layers.Dense(5)),
    (lambda: DepthwiseConv2D(3, padding="same", formulation="native"),
     lambda: keras.layers.DepthwiseConv2D(3, padding="same")),
    (lambda: keras.layers.LayerNormalization(), lambda: keras.layers.LayerNormalization()),
]


@pytest.mark.parametrize("index", range(len(_PAIRS)))
def test_same_outputs_and_gradients_as_keras_call(index):
    # Outputs and one SGD step (input and weight gradients) through a parent
    # that uses sublayer_call, against Keras' layer called as Keras calls it.
    # On PyTorch the sublayer runs `layer.call` directly (the fast path,
    # asserted below); elsewhere sublayer_call is Keras' own call.
    make_ours, make_theirs = _PAIRS[index]
    check_same_as_keras(lambda: _Parent(make_ours()), make_theirs, SHAPE)
    inner = make_ours()
    inner.build(SHAPE)
    assert _ran_keras_call(inner, keras.ops.ones(SHAPE)) == (keras.backend.backend() != "torch")


def test_block_gradients_unchanged_by_the_fast_path(monkeypatch):
    # One SGD step of a model of two blocks, with and without the fast path.
    x = np.random.default_rng(1).normal(size=SHAPE).astype("float32")
    steps = []
    for skips in (False, True):
        monkeypatch.setattr(sublayer_call_module, "SKIPS_BOOKKEEPING", skips)
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input(SHAPE[1:]), ConvNeXtBlock(16, layer_scale_init_value=0.5),
                                  ConvNeXtBlock(16, layer_scale_init_value=0.5)])
        model.compile(optimizer=keras.optimizers.SGD(1.0), loss="mse", jit_compile=False)
        before = [keras.ops.convert_to_numpy(w).copy() for w in model.weights]
        model.train_on_batch(x, np.ones_like(x))
        steps.append([keras.ops.convert_to_numpy(w) - b for w, b in zip(model.weights, before)])
    for keras_step, fast_step in zip(*steps):
        assert np.abs(keras_step).max() > 0
        np.testing.assert_allclose(fast_step, keras_step, rtol=1e-6, atol=1e-9)


def test_fast_path_only_where_bookkeeping_adds_nothing():
    x = keras.ops.convert_to_tensor(np.ones(SHAPE, "float32"))
    layer = Dense(5)
    layer.build(SHAPE)
    assert _ran_keras_call(layer, x) == (keras.backend.backend() != "torch")

    # Keras' __call__ is needed: not built, symbolic input, mixed policy
    # (autocast), input of another dtype, a torch forward hook.
    unbuilt = Dense(5)
    assert _ran_keras_call(unbuilt, x)
    assert _ran_keras_call(layer, keras.KerasTensor(SHAPE))
    mixed = Dense(5, dtype="mixed_float16")
    mixed.build(SHAPE)
    assert _ran_keras_call(mixed, keras.ops.cast(x, "float16"))
    assert _ran_keras_call(layer, keras.ops.cast(x, "float16"))
    if keras.backend.backend() == "torch":
        hooked = []
        layer.register_forward_hook(lambda *args: hooked.append(True))
        assert _ran_keras_call(layer, x) and hooked == [True]
