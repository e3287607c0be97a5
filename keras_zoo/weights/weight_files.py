"""One entry point for a family's `weights=` file: keras_zoo's own files
load as Keras does; PyTorch checkpoints go through the family's converter."""

import os

from keras_zoo.weights.torch_checkpoint import TORCH_CHECKPOINT_SUFFIXES
from keras_zoo.weights.torch_checkpoint import read_torch_state_dict

KERAS_SUFFIXES = (".weights.h5", ".keras")


def load_weights_file(model, path, assign_torch_state):
    """Loads `path` into `model`: `.weights.h5` / `.keras` with Keras'
    `load_weights`; `.pth`, `.pt`, `.bin`, `.safetensors` read safely and
    given to `assign_torch_state(model, {key: np.ndarray})`."""
    path = os.fspath(path)
    if path.endswith(KERAS_SUFFIXES):
        model.load_weights(path)
        return model
    if not path.endswith(TORCH_CHECKPOINT_SUFFIXES):
        raise ValueError(
            f"Unknown weights file '{path}'. Valid endings: "
            f"{', '.join(KERAS_SUFFIXES + TORCH_CHECKPOINT_SUFFIXES)}"
        )
    assign_torch_state(model, read_torch_state_dict(path))
    return model
