"""Keras callbacks that are not tied to one training recipe."""

from keras_zoo.callbacks.sample_grid import SampleGrid
from keras_zoo.callbacks.sample_grid import image_grid

__all__ = ["SampleGrid", "image_grid"]
