"""Checks shared by the test suite (as keras-hub's TestCase): every custom
layer must round-trip its config and `.keras` file, train, and honour mixed
precision; a layer that stands in for a Keras layer must compute what it
computes."""

from keras_zoo.testing.keras_equivalence import check_same_as_keras
from keras_zoo.testing.layer_checks import check_layer
from keras_zoo.testing.model_checks import check_backbone, check_model

__all__ = ["check_backbone", "check_layer", "check_model", "check_same_as_keras"]
