import keras
from keras import ops

PADDING_ID = 0


def _token_mask(y_true):
    return ops.cast(ops.not_equal(y_true, PADDING_ID), "float32")  # (B, T)


@keras.saving.register_keras_serializable(package="keras_zoo")
class MaskedLabelSmoothedCrossEntropy(keras.losses.Loss):
    """Cross-entropy with label smoothing (Szegedy et al., 2016; the paper's
    epsilon_ls = 0.1, section 5.4), averaged over real tokens only: padding
    (id 0) contributes nothing to the loss or its normaliser.

    The target distribution is (1 - eps) on the label plus eps / V spread
    over the vocabulary. Computed in float32 from logits (B, T, V).

    Args:
        label_smoothing: float in [0, 1).
    """

    def __init__(self, label_smoothing=0.1, name="masked_label_smoothed_cross_entropy", **kwargs):
        # The loss averages over tokens itself; "sum" keeps that scalar.
        kwargs.setdefault("reduction", "sum")
        super().__init__(name=name, **kwargs)
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(
                f"`label_smoothing` must be in [0, 1). Received: label_smoothing={label_smoothing}"
            )
        self.label_smoothing = label_smoothing

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, "int32")
        log_probs = ops.log_softmax(ops.cast(y_pred, "float32"), axis=-1)  # (B, T, V)
        label_log_prob = ops.take_along_axis(log_probs, y_true[..., None], axis=-1)[..., 0]
        smoothing = self.label_smoothing
        per_token = -(1.0 - smoothing) * label_log_prob - smoothing * ops.mean(log_probs, axis=-1)
        mask = _token_mask(y_true)
        return ops.sum(per_token * mask) / ops.maximum(ops.sum(mask), 1.0)

    def get_config(self):
        return {**super().get_config(), "label_smoothing": self.label_smoothing}


@keras.saving.register_keras_serializable(package="keras_zoo")
class MaskedTokenAccuracy(keras.metrics.Mean):
    """Share of non-padding target tokens whose argmax prediction is right."""

    def __init__(self, name="masked_token_accuracy", **kwargs):
        super().__init__(name=name, **kwargs)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.cast(y_true, "int32")
        correct = ops.cast(ops.equal(ops.cast(ops.argmax(y_pred, axis=-1), "int32"), y_true), "float32")
        mask = _token_mask(y_true)
        if sample_weight is not None:
            mask = mask * ops.cast(sample_weight, "float32")
        return super().update_state(correct, sample_weight=mask)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}
