"""Optimizers and learning-rate schedules a `.keras` file of ours may hold
(imported by `import keras_zoo`, so such files load anywhere)."""

from keras_zoo.optimizers.fused_adamw import FusedAdamW
from keras_zoo.optimizers.layerwise_lr import layerwise_lr_multipliers
from keras_zoo.optimizers.layerwise_lr import with_layerwise_lr
from keras_zoo.optimizers.warmup_cosine import WarmupCosineSchedule
from keras_zoo.optimizers.warmup_cosine import linear_scaled_learning_rate
from keras_zoo.optimizers.warmup_linear import WarmupLinearSchedule

__all__ = ["FusedAdamW", "WarmupCosineSchedule", "WarmupLinearSchedule", "layerwise_lr_multipliers", "linear_scaled_learning_rate",
           "with_layerwise_lr"]
