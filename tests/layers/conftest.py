import collections

import keras
import pytest

from keras_zoo.backend import biased_ops


@pytest.fixture
def fused_calls(monkeypatch):
    """Counts the calls of `biased_ops`' one-kernel functions by name, on the
    backend that has them (PyTorch; the tests using it are declared in
    tests/expected_skips.py)."""
    assert biased_ops.FUSED_BIAS, f"no one-kernel bias on the {keras.backend.backend()} backend"
    calls = collections.Counter()
    for name in ("biased_matmul", "biased_conv2d"):
        function = getattr(biased_ops, name)
        monkeypatch.setattr(biased_ops, name, lambda *a, _f=function, _n=name, **k: calls.update([_n]) or _f(*a, **k))
    return calls
