import keras
from keras import ops
from keras_zoo.utils.validation import check_positive_int


@keras.saving.register_keras_serializable(package="keras_zoo")
class TransformerSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """The paper's learning rate (Vaswani et al., 2017, section 5.3, eq. 3):

        lr = scale * d_model^-0.5 * min(step^-0.5, step * warmup_steps^-1.5)

    linear warmup for `warmup_steps`, then decay with the inverse square
    root of the step. Steps count from 1 (the optimizer's 0-based
    iteration + 1), so the first update is not taken at rate 0.

    Args:
        d_model: int, the model width.
        warmup_steps: int, 4000 in the paper.
        scale: float, a multiplier (tensor2tensor's `learning_rate`), 1 in
            the paper.
    """

    def __init__(self, d_model, warmup_steps=4000, scale=1.0):
        check_positive_int(d_model=d_model, warmup_steps=warmup_steps)
        if scale <= 0:
            raise ValueError(f"`scale` must be > 0. Received: scale={scale}")
        self.d_model = d_model
        self.warmup_steps = warmup_steps
        self.scale = scale

    def __call__(self, step):
        step = ops.cast(step, "float32") + 1.0
        warmup = ops.cast(self.warmup_steps, "float32")
        rate = ops.minimum(ops.rsqrt(step), step * warmup**-1.5)
        return self.scale * self.d_model**-0.5 * rate

    def get_config(self):
        return {"d_model": self.d_model, "warmup_steps": self.warmup_steps, "scale": self.scale}


def transformer_optimizer(d_model, warmup_steps=4000, scale=1.0):
    """Adam with beta1 0.9, beta2 0.98, epsilon 1e-9 (section 5.3) on the
    paper's schedule."""
    return keras.optimizers.Adam(
        TransformerSchedule(d_model, warmup_steps, scale), beta_1=0.9, beta_2=0.98, epsilon=1e-9
    )
