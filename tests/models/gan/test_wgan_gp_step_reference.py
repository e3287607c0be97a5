"""Two WGAN-GP train steps of our GAN against an independent PyTorch
implementation of keras-io's `WGAN.train_step` (examples/generative/
wgan_gp.py): same networks and weights, same batch, same latent vectors
and interpolation weights, Adam written out by hand. The logged losses and
every trainable weight of both networks after the steps must agree.

The reference runs in float64, so the tolerances measure our float32 step
(see RTOL/ATOL)."""

import keras
import numpy as np
import torch
import torch.nn.functional as F
from keras import ops

import keras_zoo
from keras_zoo.models.gan import GAN

IMAGE_SHAPE = (8, 8, 1)
LATENT_DIM = 8
BATCH_SIZE = 4
N_CRITIC = 2  # the critic loop runs twice per step: its Adam state carries over
STEPS = 2  # the second generator update is not a mere sign of its gradient (Adam's first step is)
# The reference's constants, from Gulrajani et al. 2017, Algorithm 1, except the
# learning rate: 1e-4 there; 1e-2 here moves each weight ~1e-2 per update, far
# above the tolerance.
LAMBDA = 10.0
LEARNING_RATE, BETA_1, BETA_2, EPSILON = 1e-2, 0.0, 0.9, 1e-7  # EPSILON: Keras' Adam default
BN_EPSILON, LEAKY_SLOPE = 1e-3, 0.2  # Keras' BatchNormalization default; DCGAN's LeakyReLU
# float32 against float64. Measured on all three backends: losses within 6e-7
# absolute (3e-6 relative), weights within 2e-7 absolute; at most a tenth of
# atol + rtol * |reference| anywhere.
RTOL, ATOL = 1e-5, 1e-6


class InjectedGAN(GAN):
    """Our GAN whose latent vectors and interpolation weights come with the
    batch, `(real, latents (S, B, latent_dim), alphas (n_critic, B, 1, 1, 1))`,
    consumed in the order the train step draws them. The lists are filled
    at the start of every step, so a second trace (TF, JAX) reads them again."""

    def stateful_train_step(self, data):
        real, latents, alphas = data[0] if isinstance(data[0], (tuple, list)) else data
        self._latents = [latents[i] for i in range(latents.shape[0])]
        self._alphas = [alphas[i] for i in range(alphas.shape[0])]
        logs = super().stateful_train_step(real)
        assert not self._latents and not self._alphas, "unused draws"
        return logs

    def sample_latents(self, batch_size):
        assert self._latents, f"more than the reference's {N_CRITIC + 1} latent draws per step"
        return self._latents.pop(0)

    def sample_interpolation_weights(self, batch_size, dtype):
        assert self._alphas, f"more than the reference's {N_CRITIC} interpolation draws per step"
        return ops.cast(self._alphas.pop(0), dtype)


# ---- the reference, in PyTorch ------------------------------------------------


class NHWCReshape(torch.nn.Module):
    """Keras' Reshape to `(h, w, c)` on the Dense output, as NCHW."""

    def __init__(self, shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape).permute(0, 3, 1, 2)


class NHWCFlatten(torch.nn.Module):
    """Keras' Flatten of channels-last maps."""

    def forward(self, x):
        return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)


class TrainingBatchNorm(torch.nn.Module):
    """Batch norm with the batch's statistics (Keras' training=True)."""

    def __init__(self, channels):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(channels, dtype=torch.float64))
        self.bias = torch.nn.Parameter(torch.zeros(channels, dtype=torch.float64))

    def forward(self, x):
        return F.batch_norm(x, None, None, self.weight, self.bias, training=True, eps=BN_EPSILON)


def _torch(array):
    return torch.tensor(np.asarray(array), dtype=torch.float64)


def mirror(network):
    """A torch.nn.Sequential copy of a Keras DCGAN network, with pairs
    `(keras variable, torch parameter, torch -> keras layout)` for every
    trainable weight."""
    modules, pairs = [], []

    def pair(variable, parameter, to_torch, to_keras):
        parameter.data = _torch(to_torch(ops.convert_to_numpy(variable)))
        pairs.append((variable, parameter, to_keras))

    nhwc_kernel = (lambda k: np.transpose(k, (3, 2, 0, 1)), lambda p: np.transpose(p, (2, 3, 1, 0)))
    for layer in network.layers:
        if isinstance(layer, (keras.layers.InputLayer, keras.layers.Identity)):
            continue
        if isinstance(layer, keras.layers.Dense):
            module = torch.nn.Linear(*layer.kernel.shape, bias=layer.use_bias, dtype=torch.float64)
            pair(layer.kernel, module.weight, np.transpose, np.transpose)  # (in, out) -> (out, in)
        elif isinstance(layer, keras.layers.Conv2DTranspose):  # before Conv2D: a subclass of it
            assert (layer.kernel_size, layer.strides, layer.padding) == ((4, 4), (2, 2), "same")
            _, _, out_channels, in_channels = layer.kernel.shape
            module = torch.nn.ConvTranspose2d(in_channels, out_channels, 4, stride=2, padding=1,
                                              bias=layer.use_bias, dtype=torch.float64)
            pair(layer.kernel, module.weight, *nhwc_kernel)  # (kh, kw, out, in) -> (in, out, kh, kw)
        elif isinstance(layer, keras.layers.Conv2D):
            assert (layer.kernel_size, layer.strides, layer.padding) == ((4, 4), (2, 2), "same")
            _, _, in_channels, out_channels = layer.kernel.shape
            module = torch.nn.Conv2d(in_channels, out_channels, 4, stride=2, padding=1,
                                     bias=layer.use_bias, dtype=torch.float64)
            pair(layer.kernel, module.weight, *nhwc_kernel)  # (kh, kw, in, out) -> (out, in, kh, kw)
        elif isinstance(layer, keras.layers.BatchNormalization):
            module = TrainingBatchNorm(layer.gamma.shape[0])
            pair(layer.gamma, module.weight, np.asarray, np.asarray)
            pair(layer.beta, module.bias, np.asarray, np.asarray)
        elif isinstance(layer, keras.layers.Reshape):
            module = NHWCReshape(layer.target_shape)
        elif isinstance(layer, keras.layers.Flatten):
            module = NHWCFlatten()
        elif isinstance(layer, keras.layers.ReLU):
            module = torch.nn.ReLU()
        elif isinstance(layer, keras.layers.LeakyReLU):
            module = torch.nn.LeakyReLU(LEAKY_SLOPE)
        elif isinstance(layer, keras.layers.Activation) and layer.activation is keras.activations.tanh:
            module = torch.nn.Tanh()
        else:
            raise AssertionError(f"no mirror for layer {layer.name} ({type(layer).__name__})")
        if getattr(layer, "use_bias", False):
            pair(layer.bias, module.bias, np.asarray, np.asarray)
        modules.append(module)
    assert len(pairs) == len(network.trainable_variables)
    return torch.nn.Sequential(*modules), pairs


class ReferenceAdam:
    """Kingma & Ba 2015, Algorithm 1, in Keras' form (epsilon outside the
    bias-corrected square root)."""

    def __init__(self, parameters):
        self.parameters = list(parameters)
        self.m = [torch.zeros_like(p) for p in self.parameters]
        self.v = [torch.zeros_like(p) for p in self.parameters]
        self.t = 0

    @torch.no_grad()
    def step(self, grads):
        self.t += 1
        lr_t = LEARNING_RATE * np.sqrt(1 - BETA_2**self.t) / (1 - BETA_1**self.t)
        for p, g, m, v in zip(self.parameters, grads, self.m, self.v):
            m.mul_(BETA_1).add_((1 - BETA_1) * g)
            v.mul_(BETA_2).add_((1 - BETA_2) * g * g)
            p.sub_(lr_t * m / (v.sqrt() + EPSILON))


def nchw(images):
    return images.permute(0, 3, 1, 2)


def keras_io_gradient_penalty(critic, real, fake, alpha):
    """keras-io's `WGAN.gradient_penalty`: interpolated = real + alpha * (fake - real)."""
    interpolated = (real + alpha * (fake - real)).detach().requires_grad_(True)
    (grads,) = torch.autograd.grad(critic(interpolated).sum(), interpolated, create_graph=True)
    norm = grads.square().sum(dim=(1, 2, 3)).sqrt()
    return ((norm - 1.0) ** 2).mean()


def keras_io_train_step(generator, critic, d_adam, g_adam, real, latents, alphas):
    """keras-io's `WGAN.train_step`, images NCHW; returns its logged figures."""
    for i in range(N_CRITIC):
        fake = generator(latents[i]).detach()
        fake_logits, real_logits = critic(fake), critic(real)
        d_cost = fake_logits.mean() - real_logits.mean()
        penalty = keras_io_gradient_penalty(critic, real, fake, alphas[i])
        d_loss = d_cost + LAMBDA * penalty
        d_adam.step(torch.autograd.grad(d_loss, d_adam.parameters))
    g_loss = -critic(generator(latents[N_CRITIC])).mean()
    g_adam.step(torch.autograd.grad(g_loss, g_adam.parameters))
    return {"d_loss": d_loss.item(), "gradient_penalty": penalty.item(), "g_loss": g_loss.item(),
            "wasserstein": -d_cost.item()}


# ---- the test ---------------------------------------------------------------


def _perturb(network, rng):
    """O(1) activations and gradients instead of DCGAN's N(0, 0.02) weights,
    random batch-norm affines and biases: nothing cancels by symmetry."""
    for variable in network.trainable_variables:
        shape = tuple(variable.shape)
        if len(shape) > 1:  # kernels: ~ N(0, 1 / fan_in)
            value = rng.normal(size=shape) / np.sqrt(np.prod(shape[:-1]))
        elif "gamma" in variable.path:
            value = 1.0 + 0.3 * rng.normal(size=shape)
        else:  # beta and biases
            value = 0.3 * rng.normal(size=shape)
        variable.assign(value.astype("float32"))


def _values(variables):
    return [np.array(ops.convert_to_numpy(v), dtype=np.float64) for v in variables]


def test_wgan_gp_steps_match_keras_io_reference_in_torch():
    variant = keras_zoo.create_model("wgan_gp", image_shape=IMAGE_SHAPE, latent_dim=LATENT_DIM, base_filters=4,
                                     n_critic=N_CRITIC, seed=0)
    gan = InjectedGAN(variant.generator, variant.discriminator, loss=variant.gan_loss, n_critic=variant.n_critic,
                      gradient_penalty_weight=variant.gradient_penalty_weight, clip_value=variant.clip_value)
    adam = dict(learning_rate=LEARNING_RATE, beta_1=BETA_1, beta_2=BETA_2, epsilon=EPSILON)
    gan.compile(d_optimizer=keras.optimizers.Adam(**adam), g_optimizer=keras.optimizers.Adam(**adam))
    rng = np.random.default_rng(0)
    _perturb(gan.generator, rng)
    _perturb(gan.discriminator, rng)
    generator, g_pairs = mirror(gan.generator)
    critic, d_pairs = mirror(gan.discriminator)
    d_adam = ReferenceAdam(p for _, p, _ in d_pairs)
    g_adam = ReferenceAdam(p for _, p, _ in g_pairs)

    pairs = g_pairs + d_pairs
    before = _values(variable for variable, _, _ in pairs)
    for _ in range(STEPS):
        real = rng.uniform(-1, 1, size=(BATCH_SIZE, *IMAGE_SHAPE)).astype("float32")
        latents = rng.normal(size=(N_CRITIC + 1, BATCH_SIZE, LATENT_DIM)).astype("float32")
        alphas = rng.uniform(size=(N_CRITIC, BATCH_SIZE, 1, 1, 1)).astype("float32")
        logs = gan.train_on_batch((real, latents, alphas), return_dict=True)
        # Ours: alpha * real + (1 - alpha) * fake; keras-io: real + alpha' * (fake - real), alpha' = 1 - alpha.
        expected = keras_io_train_step(generator, critic, d_adam, g_adam, nchw(_torch(real)), _torch(latents),
                                       1.0 - _torch(alphas))
        assert set(logs) == set(expected)
        for name in expected:
            np.testing.assert_allclose(logs[name], expected[name], rtol=RTOL, atol=ATOL, err_msg=name)

    assert int(ops.convert_to_numpy(gan.d_optimizer.iterations)) == STEPS * N_CRITIC
    after = _values(variable for variable, _, _ in pairs)
    for (variable, parameter, to_keras), old, new in zip(pairs, before, after):
        np.testing.assert_allclose(new, to_keras(parameter.detach().numpy()), rtol=RTOL, atol=ATOL,
                                   err_msg=variable.path)
        if variable is gan.discriminator.get_layer("score").bias:
            # The Wasserstein loss and the penalty do not depend on the score's bias.
            np.testing.assert_array_equal(new, old)
        else:  # every other weight tensor moved, by far more than the tolerance
            assert np.abs(new - old).max() > 100 * ATOL, variable.path
