"""Reads a PyTorch checkpoint into a dict of numpy arrays, safely.

`.safetensors` files need only the `safetensors` package; `.pth`, `.pt` and
`.bin` files need torch and are read with `weights_only=True`, which refuses
to unpickle arbitrary objects.
"""

import os
import pickle
import struct

import numpy as np

TORCH_CHECKPOINT_SUFFIXES = (".pth", ".pt", ".bin", ".safetensors")
# Where training scripts nest the state dict (the official ConvNeXt uses "model").
_NESTING_KEYS = ("state_dict", "model", "model_ema", "module")


def read_torch_state_dict(path):
    """Returns `{name: np.ndarray}` from a PyTorch checkpoint file."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No checkpoint file at '{path}'.")
    if path.endswith(".safetensors"):
        state = _load_safetensors(path)
    elif path.endswith((".pth", ".pt", ".bin")):
        state = _load_torch(path)
    else:
        raise ValueError(
            f"Unknown checkpoint format '{path}'. Valid endings: {', '.join(TORCH_CHECKPOINT_SUFFIXES)}"
        )
    while isinstance(state, dict) and not _is_flat_state(state):
        nested = [key for key in _NESTING_KEYS if isinstance(state.get(key), dict)]
        if not nested:
            raise ValueError(
                f"'{path}' holds no state dict. Top-level keys: {sorted(state)[:10]}"
            )
        state = state[nested[0]]
    arrays = {}
    for name, tensor in state.items():
        if name.startswith("module."):  # saved from DataParallel / DDP
            name = name[len("module."):]
        arrays[name] = _to_numpy(tensor)
    return arrays


class CheckpointReadError(ValueError):
    """A checkpoint file that cannot be read: truncated, not a checkpoint,
    or holding Python objects that a safe load refuses."""


_ZIP_MAGIC = b"PK\x03\x04"  # torch.save's format since PyTorch 1.6
_PICKLE_MAGIC = b"\x80"  # the legacy format: a pickle, protocol 2 or later


def _load_torch(path):
    import torch

    with open(path, "rb") as f:
        head = f.read(4)
    if not (head == _ZIP_MAGIC or head.startswith(_PICKLE_MAGIC)):
        raise CheckpointReadError(f"Could not read '{path}': not a PyTorch or safetensors file.")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        if "weights_only" in str(error) or "Weights only load failed" in str(error):
            raise CheckpointReadError(
                f"Could not read '{path}': refused, it contains Python objects, not only tensors "
                "(read with weights_only=True, which never runs code from a file; save the state dict alone)."
            ) from None
        raise CheckpointReadError(f"Could not read '{path}': {_DAMAGED}.") from None
    except (RuntimeError, EOFError, OSError, ValueError, KeyError) as error:
        raise CheckpointReadError(f"Could not read '{path}': {_DAMAGED}.") from error


_DAMAGED = "truncated or damaged (it starts as a PyTorch checkpoint but cannot be read to its end)"


def _load_safetensors(path):
    from safetensors.numpy import load_file

    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(8)
    # A safetensors file: an 8-byte little-endian header length, a JSON header, the tensors.
    header_length = struct.unpack("<Q", head)[0] if len(head) == 8 else None
    if header_length is None or header_length > size - 8:
        raise CheckpointReadError(f"Could not read '{path}': not a safetensors file (or truncated in its header).")
    try:
        return load_file(path)
    except Exception as error:  # safetensors raises its own SafetensorError
        problem = "truncated" if "incomplete" in str(error).lower() or "out of bounds" in str(error).lower() \
            else "damaged or not a safetensors file"
        raise CheckpointReadError(f"Could not read '{path}': {problem} ({error}).") from None


def _is_flat_state(state):
    return bool(state) and all(not isinstance(value, dict) for value in state.values())


def _to_numpy(tensor):
    if isinstance(tensor, np.ndarray):
        return tensor
    # torch.Tensor; bfloat16 has no numpy dtype.
    return tensor.detach().cpu().float().numpy() if tensor.is_floating_point() else tensor.cpu().numpy()
