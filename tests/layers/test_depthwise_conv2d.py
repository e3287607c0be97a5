import keras
import numpy as np
import pytest

from keras_zoo.layers import DepthwiseConv2D
from keras_zoo.layers.depthwise_conv2d import auto_depthwise_formulation
from keras_zoo.testing import check_layer
from keras_zoo.testing import check_same_as_keras

SHAPE = (2, 9, 8, 4)


WRITTEN_OUT = ["shifted", "batched_grad"]  # compared with "native"


@pytest.mark.parametrize("formulation", ["native"] + WRITTEN_OUT)
def test_layer_checks(tmp_path, formulation):
    check_layer(lambda **kw: DepthwiseConv2D(3, padding="same", formulation=formulation, **kw), SHAPE, str(tmp_path))


def _pair(kernel_size, padding, formulation):
    """A native layer and one of `formulation` holding the same random weights."""
    rng = np.random.default_rng(0)
    layers = [DepthwiseConv2D(kernel_size, padding=padding, formulation=f) for f in ("native", formulation)]
    for layer in layers:
        layer.build(SHAPE)
    for variable in layers[0].weights:
        value = rng.normal(size=variable.shape).astype("float32")
        for layer in layers:
            next(w for w in layer.weights if w.name == variable.name).assign(value)
    return layers


@pytest.mark.parametrize("formulation", WRITTEN_OUT)
@pytest.mark.parametrize("kernel_size,padding", [(7, "same"), (4, "same"), ((3, 2), "valid")])
def test_formulations_compute_the_same_outputs(kernel_size, padding, formulation):
    native, shifted = _pair(kernel_size, padding, formulation)
    x = np.random.default_rng(1).normal(size=SHAPE).astype("float32")
    expected = keras.ops.convert_to_numpy(native(x))
    assert expected.shape == tuple(native.compute_output_shape(SHAPE))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(shifted(x)), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("written_out", WRITTEN_OUT)
@pytest.mark.parametrize("kernel_size,padding", [(7, "same"), (4, "same"), ((3, 2), "valid")])
def test_formulations_compute_the_same_gradients(kernel_size, padding, written_out):
    # One SGD step with lr=1 moves each weight by minus its gradient; a Dense
    # before the convolution receives the gradient with respect to its input.
    # Asymmetric "same" padding (even kernels) and "valid" included.
    x = np.random.default_rng(1).normal(size=SHAPE).astype("float32")
    trained = []
    for formulation in ("native", written_out):
        keras.utils.set_random_seed(3)
        model = keras.Sequential([
            keras.Input(SHAPE[1:]), keras.layers.Dense(SHAPE[-1]),
            DepthwiseConv2D(kernel_size, padding=padding, formulation=formulation),
        ])
        target = np.random.default_rng(2).normal(size=(SHAPE[0],) + model.output_shape[1:]).astype("float32")
        model.compile(optimizer=keras.optimizers.SGD(1.0), loss="mse", jit_compile=False)  # no compile time
        before = [keras.ops.convert_to_numpy(w).copy() for w in model.weights]
        model.train_on_batch(x, target)
        trained.append([keras.ops.convert_to_numpy(w) - b for w, b in zip(model.weights, before)])
    for native_step, shifted_step in zip(*trained):
        assert np.abs(native_step).max() > 0
        np.testing.assert_allclose(shifted_step, native_step, rtol=1e-4, atol=1e-6)


def test_auto_rule():
    assert auto_depthwise_formulation("jax", accelerator=False) == "shifted"
    assert auto_depthwise_formulation("tensorflow", accelerator=False) == "batched_grad"
    assert auto_depthwise_formulation("tensorflow", accelerator=False, input_shape=(None, 7, 7, 8)) == "batched_grad"
    assert auto_depthwise_formulation("torch", accelerator=False) == "native"
    for backend in ("jax", "tensorflow", "torch"):
        assert auto_depthwise_formulation(backend, accelerator=True) == "native"
    assert auto_depthwise_formulation("jax", accelerator=False, input_shape=(1, 7, 7, 768)) == "shifted"  # ConvNeXt-T stage 4
    assert auto_depthwise_formulation("jax", accelerator=False, input_shape=(64, 2, 2, 64)) == "shifted"
    assert auto_depthwise_formulation("jax", accelerator=False, input_shape=(64, 2, 2, 63)) == "native"  # compile time
    assert auto_depthwise_formulation("jax", accelerator=False, input_shape=(None, 56, 56, 96)) == "native"
    assert DepthwiseConv2D(3, strides=2).resolved_formulation() == "native"  # shifted needs stride 1
    layer = DepthwiseConv2D(3)
    assert layer.resolved_formulation((2, 56, 56, 8)) == auto_depthwise_formulation(input_shape=(2, 56, 56, 8))
    assert DepthwiseConv2D(3, dtype="float64").resolved_formulation() in ("native", "shifted")  # batched_grad: float32


def test_rejects_bad_formulations():
    with pytest.raises(ValueError, match="Received: formulation='im2col'"):
        DepthwiseConv2D(3, formulation="im2col")
    for formulation in WRITTEN_OUT:
        with pytest.raises(ValueError, match="strides"):
            DepthwiseConv2D(3, strides=2, formulation=formulation)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kernel_size": 7, "padding": "same"},
        {"kernel_size": (3, 5), "padding": "same", "depth_multiplier": 2},
        {"kernel_size": 3, "strides": 2},
        {"kernel_size": 4, "padding": "same"},  # asymmetric: Keras' own path
    ],
)
def test_native_computes_as_the_keras_layer(kwargs):
    # "native" may take a backend's own path (one torch conv2d with the bias).
    kwargs = {**kwargs, "bias_initializer": "random_normal"}
    check_same_as_keras(lambda: DepthwiseConv2D(formulation="native", **kwargs),
                        lambda: keras.layers.DepthwiseConv2D(**kwargs), SHAPE)


def test_native_adds_the_bias_inside_the_convolution_on_torch(fused_calls):
    x = np.ones(SHAPE, "float32")
    DepthwiseConv2D(7, padding="same", formulation="native")(x)
    DepthwiseConv2D(3, strides=2, depth_multiplier=2, formulation="native")(x)
    assert fused_calls["biased_conv2d"] == 2
    for kwargs in ({"kernel_size": 4}, {"kernel_size": 3, "strides": 2}, {"kernel_size": 3, "use_bias": False}):
        DepthwiseConv2D(**{"padding": "same", **kwargs}, formulation="native")(x)  # Keras' own path
    assert fused_calls["biased_conv2d"] == 2


def test_batched_grad_trains_with_an_unknown_batch_size():
    # Keras' TensorFlow trainer traces its step with the dataset's spec, whose batch size is None.
    import tensorflow as tf

    layer = DepthwiseConv2D(3, padding="same", formulation="batched_grad")
    layer.build((None, 6, 6, 2))

    @tf.function(input_signature=[tf.TensorSpec((None, 6, 6, 2))])
    def kernel_gradient(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(layer(x)))
        return tape.gradient(loss, layer.kernel)

    x = np.random.default_rng(0).normal(size=(3, 6, 6, 2)).astype("float32")
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(tf.nn.depthwise_conv2d(x, layer.kernel, [1, 1, 1, 1], "SAME") + layer.bias))
    np.testing.assert_allclose(kernel_gradient(x).numpy(), tape.gradient(loss, layer.kernel).numpy(), rtol=1e-5, atol=1e-5)
