import copy
import keras
from keras import ops

from keras_zoo.backend import gradients
from keras_zoo.backend.compiled_steps import CompiledSteps
from keras_zoo.models.backbone import deserialize_dtype, model_config
from keras_zoo.models.gan.gan_losses import get_gan_loss
from keras_zoo.models.gan.gan_optimizers import GANOptimizers
from keras_zoo.models.gan.gradient_penalty import gradient_penalty
from keras_zoo.models.gan.weight_clipping import clip_weights
from keras_zoo.utils.precision import loss_scaled


def paper_optimizer(loss, clip_value=None):
    """The optimizer each objective's paper trains with."""
    if clip_value is not None:  # Arjovsky et al. 2017, Algorithm 1
        return keras.optimizers.RMSprop(learning_rate=5e-5)
    if loss.is_wasserstein:  # Gulrajani et al. 2017, Algorithm 1
        return keras.optimizers.Adam(learning_rate=1e-4, beta_1=0.0, beta_2=0.9)
    return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)  # Radford et al. 2016, Section 4


def _scaled(loss_fn, optimizer):
    """`loss_fn` whose differentiated loss is multiplied by the optimizer's
    loss scale (a `LossScaleOptimizer` divides the gradients back; any
    other optimizer scales by 1); the unscaled loss rides along in aux."""

    def scaled_loss_fn():
        loss, aux = loss_fn()
        return optimizer.scale_loss(loss), (loss, aux)

    return scaled_loss_fn


@keras.saving.register_keras_serializable(package="keras_zoo")
class GAN(CompiledSteps, gradients.StatefulTrainStep, keras.Model):
    """A generator and a discriminator (critic) trained against each other
    by `fit`, on TensorFlow, JAX and PyTorch from one `stateful_train_step`.

    Each `train_step` makes `n_critic` critic updates on the batch of real
    images, each with fresh latent vectors (the papers draw a fresh real
    batch per critic update too; `fit` gives one batch per step, as in
    keras-io's wgan_gp), then one generator update. Logged metrics:
    `d_loss` (the last critic update's loss, penalty included), `g_loss`,
    and where they apply `wasserstein` (E[f(x)] - E[f(G(z))]) and
    `gradient_penalty` (unweighted). Calling the model on latent vectors
    `(B, latent_dim)` generates images.

    How gradients are taken and applied is the backend's business
    (`keras_zoo.backend.gradients`); everything here is `keras.ops`.

    Args:
        generator: a `keras.Model` from `(latent_dim,)` to images.
        discriminator: a `keras.Model` from images to one logit/score `(B, 1)`.
        loss: "minimax", "wasserstein", or a loss object (see `gan_losses`).
        n_critic: critic updates per generator update.
        gradient_penalty_weight: lambda of WGAN-GP, or None for no penalty.
        clip_value: c of WGAN weight clipping, or None for no clipping.
        seed: int or None, seeds latent vectors and interpolation weights.
    """

    compile_family = "gan"  # jit_compile="auto" on PyTorch: keras_zoo.backend.fast_paths

    def __init__(
        self,
        generator,
        discriminator,
        loss="minimax",
        n_critic=1,
        gradient_penalty_weight=None,
        clip_value=None,
        seed=None,
        **kwargs,
    ):
        if int(n_critic) != n_critic or n_critic < 1:
            raise ValueError(f"`n_critic` must be an integer >= 1. Received: n_critic={n_critic}")
        if clip_value is not None and clip_value <= 0:
            raise ValueError(f"`clip_value` must be positive or None. Received: clip_value={clip_value}")
        if gradient_penalty_weight is not None:
            if gradient_penalty_weight < 0:
                raise ValueError(
                    "`gradient_penalty_weight` must be >= 0 or None. "
                    f"Received: gradient_penalty_weight={gradient_penalty_weight}"
                )
            # The penalty differentiates the critic per sample; batch norm
            # couples the samples (Gulrajani et al. 2017, Section 4).
            norms = [l.name for l in discriminator._flatten_layers() if isinstance(l, keras.layers.BatchNormalization)]
            if norms:
                raise ValueError(
                    "A gradient penalty needs a critic without batch normalization. "
                    f"Received a discriminator with BatchNormalization layers {norms}."
                )
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.gan_loss = get_gan_loss(loss)
        self.n_critic = int(n_critic)
        self.gradient_penalty_weight = gradient_penalty_weight
        self.clip_value = clip_value
        self.seed = seed
        self.latent_dim = generator.input_shape[-1]
        self.seed_generator = keras.random.SeedGenerator(seed)

        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.wasserstein_tracker = (
            keras.metrics.Mean(name="wasserstein") if self.gan_loss.is_wasserstein else None
        )
        self.penalty_tracker = (
            keras.metrics.Mean(name="gradient_penalty") if gradient_penalty_weight is not None else None
        )
        self.built = True  # both networks are built functional models

    @property
    def metrics(self):
        trackers = (self.d_loss_tracker, self.g_loss_tracker, self.wasserstein_tracker, self.penalty_tracker)
        return [tracker for tracker in trackers if tracker is not None]

    def compile(self, d_optimizer=None, g_optimizer=None, **kwargs):
        """Like `keras.Model.compile`, with one optimizer per network; each
        defaults to the optimizer of the loss's paper (`paper_optimizer`)."""
        super().compile(**kwargs)
        d_optimizer = keras.optimizers.get(d_optimizer or paper_optimizer(self.gan_loss, self.clip_value))
        g_optimizer = keras.optimizers.get(g_optimizer or paper_optimizer(self.gan_loss, self.clip_value))
        if d_optimizer is g_optimizer:
            raise ValueError("`d_optimizer` and `g_optimizer` must be two optimizer instances, not one shared.")
        # Under mixed_float16 both get dynamic loss scaling, as `compile`
        # gives a single optimizer.
        self.d_optimizer = loss_scaled(d_optimizer, self.dtype_policy)
        self.g_optimizer = loss_scaled(g_optimizer, self.dtype_policy)
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)
        self.optimizer = GANOptimizers(self.d_optimizer, self.g_optimizer)

    def get_compile_config(self):
        # Both optimizers, so that a saved GAN loads compiled and its
        # optimizers' state (saved with the weights) comes back with it.
        config = super().get_compile_config() or {}
        if getattr(self, "d_optimizer", None) is not None:
            config["d_optimizer"] = keras.saving.serialize_keras_object(self.d_optimizer)
            config["g_optimizer"] = keras.saving.serialize_keras_object(self.g_optimizer)
        return config

    def compile_from_config(self, config):
        config = dict(config)
        config.pop("optimizer", None)  # Keras' default, unused: the GAN trains with its own two
        optimizers = {key: keras.saving.deserialize_keras_object(config.pop(key))
                      for key in ("d_optimizer", "g_optimizer") if key in config}
        # Files from keras_zoo 0.1.0 hold no optimizer configs: the paper's.
        keep = ("run_eagerly", "steps_per_execution", "jit_compile")
        self.compile(**optimizers, **{key: config[key] for key in keep if key in config})

    def call(self, latents, training=False):
        return self.generator(latents, training=training)

    def sample_latents(self, batch_size):
        return keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)

    def sample_interpolation_weights(self, batch_size, dtype):
        """The penalty's interpolation weights alpha ~ U[0, 1], one per
        sample, `(B, 1, 1, 1)` (Gulrajani et al. 2017, Algorithm 1)."""
        return keras.random.uniform((batch_size, 1, 1, 1), seed=self.seed_generator, dtype=dtype)

    def stateful_train_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        # float32 like the generator's tanh output; the critic casts both
        # to its compute dtype.
        real = ops.cast(real, "float32")
        batch_size = ops.shape(real)[0]
        for _ in range(self.n_critic):
            d_loss, (wasserstein, penalty) = self.critic_step(real, batch_size)
        g_loss = self.generator_step(batch_size)

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        if self.wasserstein_tracker is not None:
            self.wasserstein_tracker.update_state(wasserstein)
        if self.penalty_tracker is not None:
            self.penalty_tracker.update_state(penalty)
        return {metric.name: metric.result() for metric in self.metrics}

    def critic_step(self, real, batch_size):
        """One critic update; returns `(d_loss, (wasserstein, penalty))`."""
        fake = ops.stop_gradient(self.generator(self.sample_latents(batch_size), training=True))
        if self.gradient_penalty_weight is not None:
            alpha = self.sample_interpolation_weights(batch_size, real.dtype)

        def critic(images):
            return self.discriminator(images, training=True)

        def loss_fn():
            real_logits, fake_logits = critic(real), critic(fake)
            loss = self.gan_loss.discriminator_loss(real_logits, fake_logits)
            wasserstein = penalty = ops.zeros(())
            if self.gan_loss.is_wasserstein:
                wasserstein = self.gan_loss.wasserstein_estimate(real_logits, fake_logits)
            if self.gradient_penalty_weight is not None:
                penalty = gradient_penalty(critic, real, fake, alpha, gradients.input_gradient)
                loss = loss + self.gradient_penalty_weight * penalty
            return loss, (wasserstein, penalty)

        variables = self.discriminator.trainable_variables
        _, (loss, aux), grads = gradients.value_and_grad(_scaled(loss_fn, self.d_optimizer), variables)
        gradients.apply_gradients(self.d_optimizer, grads, variables)
        if self.clip_value is not None:
            clip_weights(variables, self.clip_value)
        return loss, aux

    def generator_step(self, batch_size):
        latents = self.sample_latents(batch_size)

        def loss_fn():
            fake_logits = self.discriminator(self.generator(latents, training=True), training=True)
            return self.gan_loss.generator_loss(fake_logits), ()

        variables = self.generator.trainable_variables
        _, (loss, _), grads = gradients.value_and_grad(_scaled(loss_fn, self.g_optimizer), variables)
        gradients.apply_gradients(self.g_optimizer, grads, variables)
        return loss

    def get_config(self):
        return {
            **model_config(self),
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "loss": keras.saving.serialize_keras_object(self.gan_loss),
            "n_critic": self.n_critic,
            "gradient_penalty_weight": self.gradient_penalty_weight,
            "clip_value": self.clip_value,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = deserialize_dtype(copy.deepcopy(config))  # deserializing a Functional empties its config dict
        for key in ("generator", "discriminator", "loss"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)
