"""The base of keras_zoo's backbones (keras-hub's `Backbone` pattern)."""

import keras

from keras_zoo.backend.compiled_steps import CompiledSteps


class FunctionalModel(CompiledSteps, keras.Model):
    """A functional model whose `__init__` may keep its layers as attributes
    before it calls `super().__init__(inputs=..., outputs=...)` (keras-hub's
    style: `self.token_embedding = ...`, then the graph, then the call).
    Until then attributes are plain Python ones: the functional graph tracks
    every layer it holds, and PyTorch's `Module` refuses a module assigned
    before its own `__init__`. The saved variable paths are the graph's
    (`layers/<name>/...`) either way."""

    def __init__(self, *args, **kwargs):
        object.__setattr__(self, "_functional_init_started", True)
        dtype = kwargs.get("dtype")
        super().__init__(*args, **kwargs)
        if dtype is not None:
            # Keras' Functional drops the `dtype` it is given (its layers keep
            # theirs): without this, the config would save float32, a loaded
            # mixed model would compute in float32, and `compile` would not
            # add the loss scaling mixed_float16 needs.
            self.dtype_policy = dtype

    def __setattr__(self, name, value):
        if "_functional_init_started" not in self.__dict__:
            object.__setattr__(self, name, value)
        else:
            super().__setattr__(name, value)

    # Optional inputs (a GPT's padding mask) may be left out: `model(ids)`
    # for a model over {"token_ids", "padding_mask"}, or a dict without the
    # mask. Keras itself wants every key, None for an optional one.
    def _with_optional_inputs(self, inputs):
        struct = getattr(self, "_inputs_struct", None)
        if not isinstance(struct, dict):
            return inputs
        optional = {name for name, tensor in struct.items() if _is_optional(tensor)}
        if not optional:
            return inputs
        if not isinstance(inputs, dict):
            required = [name for name in struct if name not in optional]
            if len(required) != 1:
                return inputs  # Keras says what is missing
            inputs = {required[0]: inputs}
        return {**{name: None for name in optional}, **inputs}

    def __call__(self, inputs, *args, **kwargs):
        return super().__call__(self._with_optional_inputs(inputs), *args, **kwargs)

    def call(self, inputs, training=None, mask=None, **kwargs):  # Keras reads `training` off this signature
        return super().call(self._with_optional_inputs(inputs), training=training, mask=mask, **kwargs)


def _is_optional(tensor):
    layer = getattr(tensor, "_keras_history", [None])[0]
    return bool(getattr(layer, "optional", False))


class Backbone(FunctionalModel):
    """A functional model built in `__init__`, whose config is its
    constructor arguments: a subclass builds its graph, calls
    `super().__init__(inputs=..., outputs=..., dtype=dtype, **kwargs)`, then
    adds its own arguments to `get_config()`. `from_config` rebuilds it with
    the same dtype policy (mixed precision included).

    Heads (`ImageClassifier`, ...) take a backbone. Optional members tell
    them and the trainer what they need:
    - `layer_group_ids()`: `{variable.path: group}`, groups numbered from the
      input (0) up; layer-wise learning-rate decay uses it. `head_layer_group`:
      the group of a head on top (default: one above the backbone's).
    - `feature_key`: with dict outputs, the key a head reads.
    - `head_pooling`: how a classifier pools the features ("avg", "token").
    - `num_prefix_tokens`: leading tokens (a class token) that "avg" and
      "max" pooling leave out.
    - `model_parallel_layout`: `{variable path regex: axes}` for
      `train.distribution = "model_parallel"` (JAX `ModelParallel`); the
      family's builder also registers it, since the layout must be known
      before the model's variables exist. None: the family has none.
    """

    feature_key = None
    model_parallel_layout = None

    def get_config(self):
        return model_config(self)

    @classmethod
    def from_config(cls, config):
        return cls(**deserialize_dtype(config))


def model_config(model):
    """The keyword arguments every keras.Model takes, as a config."""
    return {
        "name": model.name,
        "trainable": model.trainable,
        "dtype": keras.dtype_policies.serialize(model.dtype_policy),
    }


def deserialize_dtype(config):
    """`config` with its serialized dtype policy turned back into one."""
    config = dict(config)
    if isinstance(config.get("dtype"), dict):
        config["dtype"] = keras.dtype_policies.deserialize(config["dtype"])
    return config
