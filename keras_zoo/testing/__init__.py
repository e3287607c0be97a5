"""Checks shared by the test suite (as keras-hub's TestCase): every custom
layer must round-trip its config and `.keras` file, train, and honour mixed
precision."""

from keras_zoo.testing.layer_checks import check_layer

__all__ = ["check_layer"]
