"""Building blocks shared by several model families."""

from keras_zoo.layers.class_token import ClassToken
from keras_zoo.layers.class_token_pooling import ClassTokenPooling
from keras_zoo.layers.conv2d import Conv2D
from keras_zoo.layers.dense import Dense
from keras_zoo.layers.depthwise_conv2d import DepthwiseConv2D
from keras_zoo.layers.feed_forward import FeedForward
from keras_zoo.layers.layer_scale import LayerScale
from keras_zoo.layers.masked_lm_head import MaskedLMHead
from keras_zoo.layers.masked_lm_mask_generator import MaskedLMMaskGenerator
from keras_zoo.layers.multi_head_attention import MultiHeadAttention
from keras_zoo.layers.padding_mask import PaddingMask
from keras_zoo.layers.patch_embedding import PatchEmbedding
from keras_zoo.layers.patch_token_pooling import PatchTokenPooling
from keras_zoo.layers.position_embedding_resample import resample_position_embedding
from keras_zoo.layers.positional_encoding import LearnedPositionEmbedding
from keras_zoo.layers.positional_encoding import PatchPositionEmbedding
from keras_zoo.layers.positional_encoding import SinusoidalPositionEncoding
from keras_zoo.layers.segment_embedding import SegmentEmbedding
from keras_zoo.layers.stochastic_depth import StochasticDepth
from keras_zoo.layers.tanh_gelu import tanh_gelu
from keras_zoo.layers.token_grid import TokenGrid
from keras_zoo.layers.transformer_block import TransformerBlock
from keras_zoo.layers.transformer_decoder_layer import TransformerDecoderLayer
from keras_zoo.layers.transformer_encoder_layer import TransformerEncoderLayer

__all__ = [
    "ClassToken",
    "ClassTokenPooling",
    "Conv2D",
    "Dense",
    "DepthwiseConv2D",
    "FeedForward",
    "LayerScale",
    "LearnedPositionEmbedding",
    "MaskedLMHead",
    "MaskedLMMaskGenerator",
    "MultiHeadAttention",
    "PaddingMask",
    "PatchEmbedding",
    "PatchPositionEmbedding",
    "PatchTokenPooling",
    "SegmentEmbedding",
    "SinusoidalPositionEncoding",
    "StochasticDepth",
    "TokenGrid",
    "TransformerBlock",
    "TransformerDecoderLayer",
    "TransformerEncoderLayer",
    "resample_position_embedding",
    "tanh_gelu",
]
