"""Layer-wise learning-rate decay (BEiT, Bao et al. 2021; used by the ConvNeXt
paper to fine-tune, Appendix A.2), for any Keras optimizer on every backend.

Adam-type updates are invariant to gradient scale, so the learning rate
itself must shrink per variable. Every Keras optimizer's step (decoupled
weight decay included) is linear in the learning rate, so scaling a
variable's step by `m` is the same as running it with learning rate `m * lr`.
`with_layerwise_lr` wraps the optimizer's class so that each step is scaled
after the backend's own update (the per-variable, TF and torch "parallel"
paths alike) and before the EMA update.
"""

import functools
import re

import keras

from keras_zoo.training.fused_adamw import FusedAdamW

# The official ConvNeXt fine-tuning code (optim_factory.get_num_layer_for_convnext)
# splits the network into 12 layer groups, the head being group 13.
CONVNEXT_NUM_LAYERS = 12


def convnext_layer_id(layer_name):
    """The paper's layer id of a ConvNeXt layer, from our layer names.

    Stem: 0; stages 1-2: their index; stage 3: 3 + block // 3 (three blocks
    a group); stage 4: 12; downsampling layers join the stage they feed;
    anything else (the head): 13.
    """
    if layer_name.startswith("stem_"):
        return 0
    match = re.fullmatch(r"stage(\d)_(downsample_\w+|block(\d+))", layer_name)
    if match is None:
        return CONVNEXT_NUM_LAYERS + 1
    stage = int(match.group(1)) - 1  # 0-based, as the official code
    if match.group(3) is None:  # a downsample layer
        return {1: 2, 2: 3, 3: CONVNEXT_NUM_LAYERS}[stage]
    block = int(match.group(3)) - 1
    if stage in (0, 1):
        return stage + 1
    if stage == 2:
        return 3 + block // 3
    return CONVNEXT_NUM_LAYERS


def convnext_lr_multipliers(model, layer_decay):
    """`{variable.path: layer_decay ** (13 - layer_id)}` for a `ConvNeXt`
    classifier's trainable variables: 1 for the head, `decay^13` for the stem."""
    if not 0.0 < layer_decay <= 1.0:
        raise ValueError(f"`layer_decay` must be in (0, 1]. Received: layer_decay={layer_decay}")
    layers = list(model.backbone.layers) + [l for l in model.layers if l is not model.backbone]
    multipliers = {}
    for layer in layers:
        scale = layer_decay ** (CONVNEXT_NUM_LAYERS + 1 - convnext_layer_id(layer.name))
        for variable in layer.trainable_variables:
            multipliers[variable.path] = scale
    return multipliers


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
