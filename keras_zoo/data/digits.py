"""The UCI handwritten digits (1,797 grayscale 8x8 images, pixel values 0..16),
carried in the package so that the default recipes need no network.

Source: Alpaydin & Kaynak, "Optical Recognition of Handwritten Digits", UCI
Machine Learning Repository (CC BY 4.0); the copy scikit-learn ships.
"""

import os

import numpy as np

_PATH = os.path.join(os.path.dirname(__file__), "digits.npz")
NUM_CLASSES = 10
# A fixed, stratified held-out split: every fifth image of each class.
_HOLDOUT_EVERY = 5


def load_digits(split="all"):
    """Returns `(images, labels)`: float32 `(N, 8, 8, 1)` in [0, 1] and int32 `(N,)`.

    Args:
        split: "train" (1,433 images), "test" (364 held-out images, a fifth of each class) or "all".
    """
    with np.load(_PATH) as data:
        images = data["images"].astype("float32")[..., None] / 16.0
        labels = data["labels"].astype("int32")
    if split == "all":
        return images, labels
    held_out = np.zeros(len(labels), dtype=bool)
    for digit in range(NUM_CLASSES):
        held_out[np.flatnonzero(labels == digit)[::_HOLDOUT_EVERY]] = True
    if split == "test":
        return images[held_out], labels[held_out]
    if split == "train":
        return images[~held_out], labels[~held_out]
    raise ValueError(f"Unknown split '{split}'. Valid: 'train', 'test', 'all'.")
