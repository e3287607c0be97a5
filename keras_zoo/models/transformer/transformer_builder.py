import functools

from keras_zoo.models.transformer.transformer_model import Transformer
from keras_zoo.models.transformer.transformer_variants import TRANSFORMER_VARIANTS
from keras_zoo.registry import register_model


def build_transformer(variant, weights=None, **overrides):
    """Builds a registered Transformer variant.

    Args:
        variant: a key of `TRANSFORMER_VARIANTS`, e.g. "transformer_base".
        weights: optional path to a `.weights.h5` file of ours.
        **overrides: `Transformer` arguments (`vocabulary_size`, `dropout`, ...).
    """
    model = Transformer(**{"name": variant, **TRANSFORMER_VARIANTS[variant], **overrides})
    if weights is not None:
        model.load_weights(weights)
    return model


for _name in TRANSFORMER_VARIANTS:
    register_model(_name, functools.partial(build_transformer, _name))
