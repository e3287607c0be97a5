"""The GAN's train_step on the active backend: clipping, which optimizer
steps which network how often, finite losses, and the generator's .keras
round trip. Tiny networks on 8x8 images."""

import keras
import numpy as np
import pytest
from keras import ops

import keras_zoo
from keras_zoo.models.gan import GAN

IMAGE_SHAPE = (8, 8, 1)
TINY = {"image_shape": IMAGE_SHAPE, "latent_dim": 8, "base_filters": 4, "seed": 0}


def _images(count=16):
    return np.random.default_rng(0).uniform(-1, 1, size=(count, *IMAGE_SHAPE)).astype("float32")


def _values(variables):
    return [np.array(ops.convert_to_numpy(v)) for v in variables]


def test_clipping_keeps_every_critic_weight_in_range_after_each_update():
    clip = 0.01
    # A large learning rate pushes weights far past c at every update.
    model = keras_zoo.create_model(
        "wgan", n_critic=1, d_optimizer=keras.optimizers.SGD(10.0), **TINY
    )
    for _ in range(2):  # one critic update per fit
        model.fit(_images(4), batch_size=4, epochs=1, verbose=0)
        values = _values(model.discriminator.trainable_variables)
        assert max(np.abs(v).max() for v in values) <= clip + 1e-7
        # The constraint is active: some weights sit on the boundary.
        assert any(np.isclose(np.abs(v), clip).any() for v in values)


def test_optimizers_step_their_own_network_n_critic_times():
    n_critic = 3
    steps = 2
    model = keras_zoo.create_model(
        "wgan_gp", n_critic=n_critic,
        d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.1), **TINY,
    )
    critic_before = _values(model.discriminator.trainable_variables)
    generator_before = _values(model.generator.trainable_variables)
    model.fit(_images(8), batch_size=4, epochs=1, verbose=0)
    assert int(ops.convert_to_numpy(model.d_optimizer.iterations)) == n_critic * steps
    assert int(ops.convert_to_numpy(model.g_optimizer.iterations)) == steps
    # A zero critic learning rate leaves the critic; the generator moved.
    for before, after in zip(critic_before, _values(model.discriminator.trainable_variables)):
        np.testing.assert_array_equal(before, after)
    assert any(
        not np.array_equal(b, a) for b, a in zip(generator_before, _values(model.generator.trainable_variables))
    )

    model = keras_zoo.create_model(
        "wgan_gp", n_critic=n_critic,
        d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.0), **TINY,
    )
    generator_before = _values(model.generator.trainable_variables)
    critic_before = _values(model.discriminator.trainable_variables)
    model.fit(_images(8), batch_size=4, epochs=1, verbose=0)
    for before, after in zip(generator_before, _values(model.generator.trainable_variables)):
        np.testing.assert_array_equal(before, after)
    assert any(
        not np.array_equal(b, a) for b, a in zip(critic_before, _values(model.discriminator.trainable_variables))
    )


@pytest.mark.parametrize(
    "variant, metrics",
    [
        ("dcgan", {"d_loss", "g_loss"}),
        ("wgan", {"d_loss", "g_loss", "wasserstein"}),
        ("wgan_gp", {"d_loss", "g_loss", "wasserstein", "gradient_penalty"}),
    ],
)
def test_short_fit_has_finite_losses(variant, metrics, tmp_path):
    model = keras_zoo.create_model(variant, n_critic=2, **TINY)
    history = model.fit(_images(16), batch_size=8, epochs=2, verbose=0)
    assert set(history.history) == metrics
    for name, values in history.history.items():
        assert len(values) == 2 and np.all(np.isfinite(values)), (name, values)

    # The generator alone saves and reloads with identical outputs.
    latents = np.random.default_rng(1).normal(size=(3, 8)).astype("float32")
    path = str(tmp_path / "generator.keras")
    model.generator.save(path)
    reloaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(
        ops.convert_to_numpy(model.generator(latents)), ops.convert_to_numpy(reloaded(latents))
    )


def test_latents_are_seeded():
    first = keras_zoo.create_model("wgan_gp", **TINY).sample_latents(4)
    second = keras_zoo.create_model("wgan_gp", **TINY).sample_latents(4)
    np.testing.assert_array_equal(ops.convert_to_numpy(first), ops.convert_to_numpy(second))


def test_invalid_arguments_say_what_was_received():
    model = keras_zoo.create_model("dcgan", **TINY)
    with pytest.raises(ValueError, match="n_critic=0"):
        GAN(model.generator, model.discriminator, n_critic=0)
    with pytest.raises(ValueError, match="Unknown GAN loss 'hinge'"):
        GAN(model.generator, model.discriminator, loss="hinge")
    with pytest.raises(ValueError, match="Did you mean 'wgan_gp'"):
        keras_zoo.create_model("wgan-gp")


def test_a_saved_gan_loads_compiled_with_both_optimizers_state(tmp_path):
    model = keras_zoo.create_model("wgan_gp", n_critic=1, **TINY)
    model.compile(d_optimizer=keras.optimizers.Adam(3e-4, beta_1=0.1), g_optimizer=keras.optimizers.RMSprop(2e-4))
    model.fit(_images(16), batch_size=8, epochs=1, verbose=0)
    path = str(tmp_path / "gan.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    for name in ("d_optimizer", "g_optimizer"):
        saved, restored = getattr(model, name), getattr(loaded, name)
        assert type(restored) is type(saved)
        assert restored.get_config() == saved.get_config()
        assert int(ops.convert_to_numpy(restored.iterations)) == 2
        for a, b in zip(_values(saved.variables), _values(restored.variables)):
            np.testing.assert_array_equal(a, b)
    # ... and trains on from there.
    loaded.fit(_images(16), batch_size=8, epochs=1, verbose=0)
    assert int(ops.convert_to_numpy(loaded.g_optimizer.iterations)) == 4
