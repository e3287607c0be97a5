"""Layer-wise learning-rate decay (BEiT, Bao et al. 2021; used by the ConvNeXt
paper to fine-tune, Appendix A.2), for any Keras optimizer on every backend
and any model that numbers its layer groups (`layer_group_ids()`).

Adam-type updates are invariant to gradient scale, so the learning rate
itself must shrink per variable. Every Keras optimizer's step (decoupled
weight decay included) is linear in the learning rate, so scaling a
variable's step by `m` is the same as running it with learning rate `m * lr`.
`with_layerwise_lr` wraps the optimizer's class so that each step is scaled
after the backend's own update (the per-variable, TF and torch "parallel"
paths alike) and before the EMA update.
"""

import functools

import keras

from keras_zoo.optimizers.fused_adamw import FusedAdamW

def layerwise_lr_multipliers(model, layer_decay):
    """`{variable.path: layer_decay ** (top - group)}` for the model's
    trainable variables, from the model's `layer_group_ids()` (its layer
    groups numbered from the input, 0, to the head, `top`: the head keeps
    the full rate, each group below it `layer_decay` times less)."""
    if not 0.0 < layer_decay <= 1.0:
        raise ValueError(f"`layer_decay` must be in (0, 1]. Received: layer_decay={layer_decay}")
    group_ids = getattr(model, "layer_group_ids", None)
    if group_ids is None:
        raise ValueError(
            f"layer_decay={layer_decay} needs a model with layer groups (a `layer_group_ids()` method); "
            f"{type(model).__name__} '{model.name}' has none. Use layer_decay=1.0 for this model."
        )
    ids = group_ids()
    top = max(ids.values())
    return {path: layer_decay ** (top - group) for path, group in ids.items()}


class _LayerwiseLearningRate:
    """Mixed into an optimizer class; scales each variable's step by
    `lr_multipliers[variable.path]` (default 1)."""

    def __init__(self, *args, lr_multipliers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lr_multipliers = dict(lr_multipliers or {})

    def _apply_weight_decay(self, variables):
        # Decoupled weight decay is part of the step: snapshot before it.
        self._values_before_step = [
            keras.ops.copy(v.value) if self.lr_multipliers.get(v.path, 1.0) != 1.0 else None
            for v in variables
        ]
        super()._apply_weight_decay(variables)

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        super()._backend_update_step(grads, trainable_variables, learning_rate)
        for variable, before in zip(trainable_variables, self._values_before_step):
            if before is not None:
                scale = self.lr_multipliers[variable.path]
                variable.assign(before + scale * (variable.value - before))
        self._values_before_step = None

    def get_config(self):
        return {**super().get_config(), "lr_multipliers": self.lr_multipliers}


@functools.cache
def _layerwise_class(optimizer_class):
    cls = type(f"Layerwise{optimizer_class.__name__}", (_LayerwiseLearningRate, optimizer_class),
               {"__module__": __name__})
    return keras.saving.register_keras_serializable(package="keras_zoo")(cls)


# Module-level classes for Keras' own optimizers and FusedAdamW, so that a `.keras` file
# compiled with one loads in a fresh process (Keras imports this module and
# looks the class up by name).
for _name in ("AdamW", "Adam", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam", "Lion", "Lamb"):
    if hasattr(keras.optimizers, _name):
        globals()[f"Layerwise{_name}"] = _layerwise_class(getattr(keras.optimizers, _name))
LayerwiseFusedAdamW = _layerwise_class(FusedAdamW)


def with_layerwise_lr(optimizer, lr_multipliers):
    """A copy of `optimizer` (any `keras.optimizers.Optimizer`, not yet built)
    whose learning rate for variable `v` is `lr_multipliers[v.path] * lr`."""
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        raise TypeError(f"Expected a keras optimizer. Received: {type(optimizer).__name__}")
    if optimizer.built:
        raise ValueError("Pass an optimizer that has not been built (not yet used to train).")
    config = optimizer.get_config()
    config.pop("lr_multipliers", None)
    cls = _layerwise_class(type(optimizer))
    return cls.from_config({**config, "lr_multipliers": dict(lr_multipliers)})
