"""BERT's learning-rate schedule: linear warmup, then linear decay to zero.

Devlin et al. 2019, Appendix A.2: "learning rate warmup over the first
10,000 steps, and linear decay of the learning rate"; the fine-tuning
recipes (Hugging Face's `get_linear_schedule_with_warmup`) use the same
shape with a warmup of ~10% of the steps.
"""

import keras


@keras.saving.register_keras_serializable(package="keras_zoo")
class WarmupLinearSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """`peak * step / warmup_steps` during warmup, then a straight line
    from `peak` to `min_learning_rate` at `total_steps`, and that value
    after it.

    Args:
        peak_learning_rate: float > 0.
        total_steps: int > 0, warmup included.
        warmup_steps: int in [0, total_steps).
        min_learning_rate: float in [0, peak], the final value (BERT: 0).
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
        progress = keras.ops.clip((step - self.warmup_steps) / (self.total_steps - self.warmup_steps), 0.0, 1.0)
        linear = self.peak_learning_rate + (self.min_learning_rate - self.peak_learning_rate) * progress
        return keras.ops.where(step < self.warmup_steps, warmup, linear)

    def get_config(self):
        return {
            "peak_learning_rate": self.peak_learning_rate,
            "total_steps": self.total_steps,
            "warmup_steps": self.warmup_steps,
            "min_learning_rate": self.min_learning_rate,
        }
