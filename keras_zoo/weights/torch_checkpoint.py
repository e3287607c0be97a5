"""Reads a PyTorch checkpoint into a dict of numpy arrays, safely.

`.safetensors` files need only the `safetensors` package; `.pth`, `.pt` and
`.bin` files need torch and are read with `weights_only=True`, which refuses
to unpickle arbitrary objects.
"""

import os

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
        from safetensors.numpy import load_file

        state = load_file(path)
    elif path.endswith((".pth", ".pt", ".bin")):
        import torch

        state = torch.load(path, map_location="cpu", weights_only=True)
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


def _is_flat_state(state):
    return bool(state) and all(not isinstance(value, dict) for value in state.values())


def _to_numpy(tensor):
    if isinstance(tensor, np.ndarray):
        return tensor
    # torch.Tensor; bfloat16 has no numpy dtype.
    return tensor.detach().cpu().float().numpy() if tensor.is_floating_point() else tensor.cpu().numpy()
