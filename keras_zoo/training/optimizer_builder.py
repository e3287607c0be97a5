"""The optimizer a recipe's [optimizer] section describes: AdamW (Keras'
update, one fused kernel per variable on PyTorch: `FusedAdamW`), Adam or SGD,
with warmup + cosine (ConvNeXt, GPT) or linear (BERT) schedule, optional EMA of the weights and optional
layer-wise learning-rate decay."""

import keras

from keras_zoo.optimizers import FusedAdamW
from keras_zoo.optimizers import with_layerwise_lr
from keras_zoo.optimizers import WarmupCosineSchedule
from keras_zoo.optimizers import WarmupLinearSchedule
from keras_zoo.optimizers import linear_scaled_learning_rate

_OPTIMIZERS = {"adamw": FusedAdamW, "adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD}


def build_optimizer(optimizer, batch_size, epochs, steps_per_epoch, lr_multipliers=None):
    """Args:
        optimizer: a recipe's [optimizer] section.
        batch_size, epochs, steps_per_epoch: ints, for lr scaling and the schedule.
        lr_multipliers: `{variable.path: multiplier}` for layer-wise decay, or None.
    """
    peak = linear_scaled_learning_rate(optimizer["learning_rate"], batch_size, optimizer["reference_batch_size"])
    total_steps = epochs * steps_per_epoch
    schedules = {"cosine": WarmupCosineSchedule, "linear": WarmupLinearSchedule}
    if optimizer["schedule"] in schedules:
        warmup_steps = min(round(optimizer["warmup_epochs"] * steps_per_epoch), total_steps - 1)
        learning_rate = schedules[optimizer["schedule"]](
            peak, total_steps, warmup_steps, min(optimizer["min_learning_rate"], peak)
        )
    else:
        learning_rate = peak
    kwargs = {"learning_rate": learning_rate, "use_ema": optimizer["ema"], "ema_momentum": optimizer["ema_momentum"]}
    name = optimizer["name"]
    if name == "sgd":
        kwargs["momentum"] = optimizer["beta_1"]
    else:
        kwargs.update(beta_1=optimizer["beta_1"], beta_2=optimizer["beta_2"], epsilon=optimizer["epsilon"])
    if optimizer["weight_decay"] > 0:
        kwargs["weight_decay"] = optimizer["weight_decay"]
    kwargs.update(gradient_options(optimizer))
    result = _OPTIMIZERS[name](**kwargs)
    if lr_multipliers:
        result = with_layerwise_lr(result, lr_multipliers)
    return result


def gradient_options(optimizer):
    """Keras optimizer arguments for a section's `GRADIENT_FIELDS`. With
    accumulation, Keras steps the learning-rate schedule every batch and
    Adam's bias correction every update."""
    options = {}
    if optimizer.get("global_clipnorm", 0.0) > 0:
        options["global_clipnorm"] = optimizer["global_clipnorm"]
    if optimizer.get("gradient_accumulation_steps", 1) > 1:
        options["gradient_accumulation_steps"] = optimizer["gradient_accumulation_steps"]
    return options
