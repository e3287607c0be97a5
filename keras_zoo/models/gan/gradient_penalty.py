"""The WGAN-GP gradient penalty (Gulrajani et al., "Improved Training of
Wasserstein GANs", 2017, Algorithm 1), written once with `keras.ops`; the
backend supplies only `input_gradient`."""

from keras import ops


def interpolate(real, fake, alpha):
    """`alpha * real + (1 - alpha) * fake`; alpha `(B, 1, 1, 1)` ~ U[0, 1]."""
    real, fake, alpha = (ops.convert_to_tensor(t) for t in (real, fake, alpha))
    return alpha * real + (1.0 - alpha) * fake


def safe_l2_norm(x):
    """Per-sample L2 norm over all but the batch axis, `(B,)`, whose
    gradient is 0 (not NaN) where the norm is 0."""
    squared = ops.sum(ops.square(ops.reshape(x, (ops.shape(x)[0], -1))), axis=1)
    positive = squared > 0.0
    # sqrt has an infinite slope at 0: take it only where it is safe.
    return ops.where(positive, ops.sqrt(ops.where(positive, squared, 1.0)), 0.0)


def gradient_penalty(critic, real, fake, alpha, input_gradient):
    """`E[(||grad_x critic(x_hat)||_2 - 1)^2]` at `x_hat = interpolate(...)`,
    unweighted (multiply by lambda). `input_gradient(fn, x)` is the backend's
    differentiable gradient of `sum(fn(x))` with respect to `x`."""
    interpolated = interpolate(real, fake, alpha)
    grads = ops.cast(input_gradient(critic, interpolated), "float32")
    return ops.mean(ops.square(safe_l2_norm(grads) - 1.0))
