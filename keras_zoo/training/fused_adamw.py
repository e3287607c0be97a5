"""Moved to `keras_zoo.optimizers.fused_adamw`; this path keeps working."""

from keras_zoo.optimizers.fused_adamw import FusedAdamW  # noqa: F401
