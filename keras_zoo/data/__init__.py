"""Datasets: carried in the package, or loaded through tensorflow-datasets."""

from keras_zoo.data.digits import load_digits

__all__ = ["load_digits"]
