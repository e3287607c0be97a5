import functools

from keras_zoo.models.transformer.transformer_model import Transformer
from keras_zoo.models.transformer.transformer_variants import TRANSFORMER_VARIANTS
from keras_zoo.registry import register_model
from keras_zoo.utils.arguments import keyword_arguments


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


_ARGUMENTS = keyword_arguments(build_transformer, Transformer.__init__, exclude=("variant",))
for _name in TRANSFORMER_VARIANTS:
    register_model(_name, functools.partial(build_transformer, _name), _ARGUMENTS)
