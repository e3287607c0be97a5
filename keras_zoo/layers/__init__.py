"""Building blocks shared by several model families."""

from keras_zoo.layers.layer_scale import LayerScale
from keras_zoo.layers.stochastic_depth import StochasticDepth

__all__ = ["LayerScale", "StochasticDepth"]
