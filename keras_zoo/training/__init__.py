"""Training: the ConvNeXt recipe's components (schedule, layer-wise lr decay,
EMA through the optimizer, callbacks) and the recipe trainer."""

from keras_zoo.training.fused_adamw import FusedAdamW
from keras_zoo.training.layerwise_lr import convnext_layer_id
from keras_zoo.training.layerwise_lr import convnext_lr_multipliers
from keras_zoo.training.layerwise_lr import with_layerwise_lr
from keras_zoo.training.nan_guard import StopOnNaN
from keras_zoo.training.nan_guard import TrainingDivergedError
from keras_zoo.training.optimizer_builder import build_optimizer
from keras_zoo.training.precision import PRECISIONS
from keras_zoo.training.precision import set_precision
from keras_zoo.training.recipe_trainer import evaluate_run
from keras_zoo.training.recipe_trainer import train_recipe
from keras_zoo.training.warmup_cosine import WarmupCosineSchedule
from keras_zoo.training.warmup_cosine import linear_scaled_learning_rate

__all__ = [
    "FusedAdamW",
    "PRECISIONS",
    "StopOnNaN",
    "TrainingDivergedError",
    "WarmupCosineSchedule",
    "build_optimizer",
    "convnext_layer_id",
    "convnext_lr_multipliers",
    "evaluate_run",
    "linear_scaled_learning_rate",
    "set_precision",
    "train_recipe",
    "with_layerwise_lr",
]
