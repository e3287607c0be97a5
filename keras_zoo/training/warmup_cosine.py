"""Moved to `keras_zoo.optimizers.warmup_cosine`; this path keeps working."""

from keras_zoo.optimizers.warmup_cosine import WarmupCosineSchedule  # noqa: F401
from keras_zoo.optimizers.warmup_cosine import linear_scaled_learning_rate  # noqa: F401
