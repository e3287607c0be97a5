"""The ConvNeXt learning-rate schedule: linear warmup, then cosine decay.

Liu et al. 2022, Appendix A.1 (Table 5): AdamW, lr 4e-3 at batch 4096,
20 warmup epochs, cosine decay; the official code (`utils.cosine_scheduler`)
warms up linearly from 0 and decays per iteration to `min_learning_rate`.
"""

import math

import keras


def linear_scaled_learning_rate(learning_rate, batch_size, reference_batch_size):
    """The linear scaling rule (Goyal et al. 2017): `lr * batch / reference`.
    The paper states lr 4e-3 for batch 4096."""
    if reference_batch_size <= 0:
        return learning_rate
    return learning_rate * batch_size / reference_batch_size


@keras.saving.register_keras_serializable(package="keras_zoo")
class WarmupCosineSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """`peak * step / warmup_steps` during warmup, then
    `min + (peak - min) * (1 + cos(pi * t)) / 2`, `t` going 0 -> 1 over the
    remaining steps; `min_learning_rate` after `total_steps`.

    Args:
        peak_learning_rate: float > 0.
        total_steps: int > 0, warmup included.
        warmup_steps: int in [0, total_steps).
        min_learning_rate: float >= 0, the final value.
    """

    def __init__(self, peak_learning_rate, total_steps, warmup_steps=0, min_learning_rate=0.0):
        if peak_learning_rate <= 0:
            raise ValueError(
                f"`peak_learning_rate` must be > 0. Received: peak_learning_rate={peak_learning_rate}"
            )
        if total_steps < 1 or not 0 <= warmup_steps < total_steps:
            raise ValueError(
                "Need total_steps >= 1 and 0 <= warmup_steps < total_steps. "
                f"Received: total_steps={total_steps}, warmup_steps={warmup_steps}"
            )
        if not 0 <= min_learning_rate <= peak_learning_rate:
            raise ValueError(
                "`min_learning_rate` must be in [0, peak_learning_rate]. "
                f"Received: min_learning_rate={min_learning_rate}, peak_learning_rate={peak_learning_rate}"
            )
        self.peak_learning_rate = float(peak_learning_rate)
        self.total_steps = int(total_steps)
        self.warmup_steps = int(warmup_steps)
        self.min_learning_rate = float(min_learning_rate)

    def __call__(self, step):
        step = keras.ops.cast(step, "float32")
        warmup = self.peak_learning_rate * step / max(self.warmup_steps, 1)
        decay_steps = self.total_steps - self.warmup_steps
        progress = keras.ops.clip((step - self.warmup_steps) / decay_steps, 0.0, 1.0)
        cosine = self.min_learning_rate + 0.5 * (self.peak_learning_rate - self.min_learning_rate) * (
            1.0 + keras.ops.cos(math.pi * progress)
        )
        return keras.ops.where(step < self.warmup_steps, warmup, cosine)

    def get_config(self):
        return {
            "peak_learning_rate": self.peak_learning_rate,
            "total_steps": self.total_steps,
            "warmup_steps": self.warmup_steps,
            "min_learning_rate": self.min_learning_rate,
        }
