"""Reading weights published outside Keras (PyTorch checkpoints)."""

from keras_zoo.weights.torch_checkpoint import CheckpointReadError
from keras_zoo.weights.torch_checkpoint import read_torch_state_dict

__all__ = ["CheckpointReadError", "read_torch_state_dict"]
