"""The recipe switch: names are validated, "auto" resolves from the
visible devices, and each engine's scope installs its strategy."""

import keras
import pytest

from keras_zoo.distribution.distribution_strategy import distribution_scope
from keras_zoo.distribution.distribution_strategy import replica_count
from keras_zoo.distribution.distribution_strategy import resolve_distribution

BACKEND = keras.backend.backend()


def test_unknown_names_are_rejected():
    with pytest.raises(ValueError, match=r"Unknown distribution 'ddp'\. Valid: \['auto', 'none', 'data_parallel', 'model_parallel'\]"):
        resolve_distribution("ddp")


def test_auto_is_none_on_one_device():
    # The test process sees one CPU device (and no torchrun).
    assert resolve_distribution("auto") == "none"
    with distribution_scope("auto"):
        assert replica_count() == 1


def test_data_parallel_scope_installs_the_engine_strategy():
    with distribution_scope("data_parallel"):
        if BACKEND == "tensorflow":
            import tensorflow as tf

            assert tf.distribute.has_strategy()
            assert isinstance(tf.distribute.get_strategy(), tf.distribute.MirroredStrategy)
        elif BACKEND == "jax":
            assert isinstance(keras.distribution.distribution(), keras.distribution.DataParallel)
        assert replica_count() == 1
    if BACKEND == "jax":
        assert keras.distribution.distribution() is None


def test_model_parallel_outside_jax_says_what_is_valid():
    with pytest.raises(ValueError, match=rf"needs the JAX backend.*Received: backend='{BACKEND}'"):
        with distribution_scope("model_parallel"):
            pass
