"""The recipe switch: names are validated, "auto" resolves from the
visible devices, and each engine's scope installs its strategy."""

import keras
import pytest

from keras_zoo.distribution.distribution_strategy import distribution_scope
from keras_zoo.distribution.distribution_strategy import replica_count
from keras_zoo.distribution.distribution_strategy import resolve_distribution
from keras_zoo.models.bert import BERTBackbone
from keras_zoo.models.convnext import ConvNeXtBackbone
from keras_zoo.models.vit import ViTBackbone
from keras_zoo.registry import model_parallel_layout

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


def test_each_family_registers_the_layout_beside_its_backbone():
    assert model_parallel_layout("convnext_tiny") is ConvNeXtBackbone.model_parallel_layout
    assert model_parallel_layout("vit_micro_patch4_32") is ViTBackbone.model_parallel_layout
    assert model_parallel_layout("deit_small_patch16_224") is ViTBackbone.model_parallel_layout
    assert model_parallel_layout("bert_micro") is BERTBackbone.model_parallel_layout


def test_a_model_without_a_layout_says_which_have_one():
    with pytest.raises(ValueError, match=r"Model 'dcgan' has no model-parallel layout map.*"
                                         r"Models with one: bert_base, .*convnext_atto, .*gpt2, .*vit_micro_patch4_32"):
        model_parallel_layout("dcgan")
    with pytest.raises(ValueError, match="Unknown model 'vit_mirco_patch4_32'. Did you mean 'vit_micro_patch4_32'"):
        model_parallel_layout("vit_mirco_patch4_32")


def test_model_parallel_without_a_layout_is_refused():
    # JAX: no silent default (another family's layout would shard nothing).
    message = "needs the model's layout map. Received: layout=None" if BACKEND == "jax" else "needs the JAX backend"
    with pytest.raises(ValueError, match=message):
        with distribution_scope("model_parallel"):
            pass
