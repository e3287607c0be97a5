"""Each variant's defaults against its paper, with the constants written
here (not read from `paper_optimizer` or `GAN_VARIANTS`): the optimizer of
both networks, critic updates per generator update, clipping, penalty."""

import keras
import pytest
from keras import ops

import keras_zoo

# variant: (optimizer class, its constants, the GAN's constants)
PAPERS = {
    # Radford et al. 2016, Section 4: Adam, lr 0.0002, beta1 0.5 (beta2 left at Adam's 0.999).
    "dcgan": (keras.optimizers.Adam, {"learning_rate": 2e-4, "beta_1": 0.5, "beta_2": 0.999},
              {"n_critic": 1, "clip_value": None, "gradient_penalty_weight": None, "is_wasserstein": False}),
    # Arjovsky et al. 2017, Algorithm 1: RMSProp, alpha 0.00005, c 0.01, n_critic 5 (no momentum, Section 3).
    "wgan": (keras.optimizers.RMSprop, {"learning_rate": 5e-5, "momentum": 0.0},
             {"n_critic": 5, "clip_value": 0.01, "gradient_penalty_weight": None, "is_wasserstein": True}),
    # Gulrajani et al. 2017, Algorithm 1: Adam, alpha 0.0001, beta1 0, beta2 0.9, lambda 10, n_critic 5.
    "wgan_gp": (keras.optimizers.Adam, {"learning_rate": 1e-4, "beta_1": 0.0, "beta_2": 0.9},
                {"n_critic": 5, "clip_value": None, "gradient_penalty_weight": 10.0, "is_wasserstein": True}),
}


@pytest.mark.parametrize("variant", sorted(PAPERS))
def test_defaults_are_the_papers(variant):
    optimizer_class, constants, gan_constants = PAPERS[variant]
    model = keras_zoo.create_model(variant, image_shape=(8, 8, 1), latent_dim=8, base_filters=4, seed=0)
    assert model.d_optimizer is not model.g_optimizer
    for optimizer in (model.d_optimizer, model.g_optimizer):
        # The class itself, not a subclass such as AdamW (PyTorch's Keras swaps
        # in a same-named Adam of its own).
        assert isinstance(optimizer, optimizer_class), type(optimizer).__name__
        assert type(optimizer).__name__ == optimizer_class.__name__, type(optimizer).__name__
        for name, value in constants.items():
            actual = getattr(optimizer, name)
            actual = float(ops.convert_to_numpy(actual)) if name == "learning_rate" else actual
            assert actual == pytest.approx(value, rel=1e-6, abs=0.0), (optimizer.name, name)
        assert optimizer.weight_decay is None
    assert model.n_critic == gan_constants["n_critic"]
    assert model.clip_value == gan_constants["clip_value"]
    assert model.gradient_penalty_weight == gan_constants["gradient_penalty_weight"]
    assert model.gan_loss.is_wasserstein == gan_constants["is_wasserstein"]
