import keras

from keras_zoo.models.convnext.convnext_backbone import ConvNeXtBackbone
from keras_zoo.models.convnext.convnext_block import convnext_kernel_initializer
from keras_zoo.models.image_classifier import ImageClassifier


@keras.saving.register_keras_serializable(package="keras_zoo")
class ConvNeXt(ImageClassifier):
    """ConvNeXt image classifier (Liu et al., "A ConvNet for the 2020s", 2022):
    an `ImageClassifier` over `ConvNeXtBackbone`, with the paper's head:
    global average pooling, LayerNorm (epsilon 1e-6), a dense classifier.

    Takes the backbone's arguments (`depths`, `dims`, `input_shape`
    (224, 224, 3) by default, `drop_path_rate`, `layer_scale_init_value`,
    `seed`) and `ImageClassifier`'s (`num_classes`, `include_top`,
    `pooling`, `head_init_scale`, ...). With `include_top=False`, `pooling`
    None returns the last feature map `(B, H/32, W/32, dims[3])`; "avg" or
    "max" pools it and applies the head LayerNorm, giving timm's pre-logits.
    """

    backbone_class = ConvNeXtBackbone
    compile_family = "convnext"  # jit_compile="auto" on PyTorch: keras_zoo.backend.fast_paths

    def __init__(self, input_shape=(224, 224, 3), head_norm_epsilon=1e-6, **kwargs):
        super().__init__(input_shape=input_shape, head_norm_epsilon=head_norm_epsilon, **kwargs)

    def head_kernel_initializer(self, scale):
        return convnext_kernel_initializer(scale)
