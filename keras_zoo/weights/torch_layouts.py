"""PyTorch tensor layouts -> Keras variable layouts."""

import numpy as np


def conv_kernel(w):
    """(out, in, kh, kw) -> (kh, kw, in, out)."""
    return np.transpose(w, (2, 3, 1, 0))


def depthwise_kernel(w):
    """(C, 1, kh, kw) -> (kh, kw, C, 1)."""
    return np.transpose(w, (2, 3, 0, 1))


def linear_kernel(w):
    """(out, in), or a 1x1 conv's (out, in, 1, 1) -> (in, out)."""
    return w.reshape(w.shape[0], -1).T


def same(w):
    return w
