"""Which fast path applies here: the questions layers ask instead of
testing the backend's name themselves. Each answer comes from a
measurement (cited at each function); a new block gets the same fast paths
by asking the same question.
"""

import math

import keras

from keras_zoo.backend.accelerator import on_accelerator

# Backends on which `keras_zoo.layers.MultiHeadAttention` hands the attention to
# `keras.ops.dot_product_attention` (when neither the weights nor attention
# dropout are needed). Measured in benchmarks/transformer.py: on torch the fused
# `scaled_dot_product_attention` is what kept keras-hub's stack ahead in
# training; on JAX and TensorFlow keras_zoo's own path is level with it, and
# JAX's fused path fails under mixed_float16 on the CPU.
FUSED_ATTENTION_BACKENDS = ("torch",)


def fused_attention_applies():
    """Whether attention should go to `keras.ops.dot_product_attention`
    (the caller adds: when neither the weights nor attention dropout are needed)."""
    return keras.backend.backend() in FUSED_ATTENTION_BACKENDS


def gelu_saves_cdf():
    """Whether exact GELU should keep its normal CDF for the backward pass
    (`keras_zoo.layers.exact_gelu`, where the JAX measurement is): on JAX
    only, whose XLA CPU code spends more on erf than on any other op of a
    ConvNeXt block; PyTorch has a fused `gelu_backward` kernel."""
    return keras.backend.backend() == "jax"


# Below this many input values per call (batch x height x width x channels)
# "auto" stays native on JAX CPU: the shifted sum compiles ~2x slower, a cost
# per layer, while its run-time gain grows with the values. First training
# step / next steps, JAX on a 2-core CPU: the tests' ConvNeXt (dims 8-32,
# 32x32, batch 16; 512-8192 values per call) 9.0 s / 8 ms shifted against
# 4.5 s / 14 ms native; the digits recipe's (dims 32-256, batch 64;
# 16384-131072 values) 8.9 s / 46 ms against 4.5 s / 116 ms.
MIN_SHIFTED_VALUES = 16384


def auto_depthwise_formulation(backend=None, accelerator=None, input_shape=None):
    """The formulation `formulation="auto"` picks, per backend, device and
    input shape `(batch, height, width, channels)` (None: large enough).

    Measured on a 2-core CPU, (8, 56, 56, 96) by a 7x7 kernel, forward /
    forward+gradient (the whole-model effect is in benchmarks/README.md):
    - JAX CPU: XLA compiles the grouped convolution
      (`lax.conv_general_dilated(feature_group_count=C)`) into a slow generic
      loop (~230 / ~1000 ms); 49 shifted multiply-adds fuse into one loop
      (~9 / ~95 ms, the kernel gradient accumulated image by image:
      `keras_zoo.layers.shifted_depthwise`): "shifted".
    - TensorFlow CPU: the oneDNN depthwise kernel without XLA is fastest
      (~2 ms forward), the shifted sum is slower (and the recipes leave XLA
      off on CPU, Keras' "auto" default there); its kernel-gradient kernel
      is slow (15 ms) where a depthwise convolution over the batch takes
      10 (`keras_zoo.layers.batched_grad_depthwise`): "batched_grad".
    - PyTorch: `conv2d(groups=C)` is fast; 49 eager ops are not: "native"
      (which computes the kernel gradient over the batch on the CPU itself:
      `keras_zoo.backend.torch_depthwise`).
    - Any GPU/TPU: the vendors' fused depthwise kernels: "native".
    - Inputs of fewer than MIN_SHIFTED_VALUES values, or of unknown size:
      "native" (compile time).
    """
    backend = backend or keras.backend.backend()
    accelerator = on_accelerator() if accelerator is None else accelerator
    if backend == "jax" and not accelerator and not _small(input_shape):
        return "shifted"
    if backend == "tensorflow" and not accelerator:
        return "batched_grad"
    return "native"


def _small(input_shape):
    # Asked on JAX only: under `torch.compile` the sizes can be symbolic.
    return input_shape is not None and (None in input_shape or math.prod(input_shape) < MIN_SHIFTED_VALUES)


# `jit_compile="auto"` on PyTorch: (family, device) pairs where `torch.compile`
# was measured to win end to end, compile time included, on the family's
# default recipe (benchmarks/README.md, "PyTorch: eager and torch.compile"). Every
# other pair stays eager, as Keras' "auto" does on PyTorch.
TORCH_COMPILE_WINS = frozenset()


def torch_compile_wins(family, accelerator=None):
    """Whether `jit_compile="auto"` compiles `family`'s steps with
    `torch.compile` on this device ("cpu" or "gpu"): only where measured."""
    accelerator = on_accelerator() if accelerator is None else accelerator
    return (family, "gpu" if accelerator else "cpu") in TORCH_COMPILE_WINS
