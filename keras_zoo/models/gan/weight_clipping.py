"""Weight clipping, WGAN's Lipschitz constraint (Arjovsky et al. 2017,
Algorithm 1, line 7: clip every critic parameter to [-c, c] after each
critic update)."""

from keras import ops


def clip_weights(variables, clip_value):
    for variable in variables:
        variable.assign(ops.clip(variable, -clip_value, clip_value))
