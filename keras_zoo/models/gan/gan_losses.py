"""GAN objectives as small interchangeable pieces: each gives the
discriminator's (critic's) loss and the generator's loss from the critic's
outputs. Losses are computed in float32 whatever the compute dtype."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_zoo")
class MinimaxGANLoss:
    """Goodfellow et al., "Generative Adversarial Nets", 2014, Eq. 1.

    The discriminator outputs logits. With `non_saturating=True` (the paper's
    Section 3 advice) the generator maximises `log D(G(z))`; otherwise it
    minimises `log(1 - D(G(z)))`, the minimax objective itself.
    """

    is_wasserstein = False

    def __init__(self, non_saturating=True):
        self.non_saturating = non_saturating

    def discriminator_loss(self, real_logits, fake_logits):
        # -log D(x) - log(1 - D(G(z))), with log sigmoid(t) = -softplus(-t).
        real_logits = ops.cast(real_logits, "float32")
        fake_logits = ops.cast(fake_logits, "float32")
        return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))

    def generator_loss(self, fake_logits):
        fake_logits = ops.cast(fake_logits, "float32")
        if self.non_saturating:
            return ops.mean(ops.softplus(-fake_logits))  # -log D(G(z))
        return -ops.mean(ops.softplus(fake_logits))  # log(1 - D(G(z)))

    def get_config(self):
        return {"non_saturating": self.non_saturating}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras.saving.register_keras_serializable(package="keras_zoo")
class WassersteinGANLoss:
    """Arjovsky et al., "Wasserstein GAN", 2017, Algorithm 1: the critic
    maximises `E[f(x)] - E[f(G(z))]`, the Wasserstein estimate; the
    generator maximises `E[f(G(z))]`. Needs a Lipschitz constraint (weight
    clipping or a gradient penalty) to mean anything."""

    is_wasserstein = True

    def discriminator_loss(self, real_logits, fake_logits):
        return -self.wasserstein_estimate(real_logits, fake_logits)

    def generator_loss(self, fake_logits):
        return -ops.mean(ops.cast(fake_logits, "float32"))

    def wasserstein_estimate(self, real_logits, fake_logits):
        real_logits = ops.cast(real_logits, "float32")
        fake_logits = ops.cast(fake_logits, "float32")
        return ops.mean(real_logits) - ops.mean(fake_logits)

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


GAN_LOSSES = {"minimax": MinimaxGANLoss, "wasserstein": WassersteinGANLoss}


def get_gan_loss(loss):
    """Returns a loss object from a name in `GAN_LOSSES` or an instance."""
    if isinstance(loss, str):
        if loss not in GAN_LOSSES:
            raise ValueError(f"Unknown GAN loss '{loss}'. Valid: {sorted(GAN_LOSSES)}")
        return GAN_LOSSES[loss]()
    if not (hasattr(loss, "discriminator_loss") and hasattr(loss, "generator_loss")):
        raise ValueError(
            "`loss` must be a name in "
            f"{sorted(GAN_LOSSES)} or an object with `discriminator_loss` and "
            f"`generator_loss` methods. Received: loss={loss!r}"
        )
    return loss
