"""Training: the recipe trainer and what it builds (optimizer, schedule,
layer-wise lr decay, EMA through the optimizer, NaN guard, precision)."""

from keras_zoo.optimizers import FusedAdamW
from keras_zoo.optimizers import WarmupCosineSchedule
from keras_zoo.optimizers import layerwise_lr_multipliers
from keras_zoo.optimizers import linear_scaled_learning_rate
from keras_zoo.optimizers import with_layerwise_lr
from keras_zoo.training.layerwise_lr import convnext_layer_id
from keras_zoo.training.layerwise_lr import convnext_lr_multipliers
from keras_zoo.training.nan_guard import StopOnNaN
from keras_zoo.training.nan_guard import TrainingDivergedError
from keras_zoo.training.optimizer_builder import build_optimizer
from keras_zoo.training.recipe_trainer import evaluate_run
from keras_zoo.training.recipe_trainer import train_recipe
from keras_zoo.utils.precision import PRECISIONS
from keras_zoo.utils.precision import set_precision

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
    "layerwise_lr_multipliers",
    "linear_scaled_learning_rate",
    "set_precision",
    "train_recipe",
    "with_layerwise_lr",
]
