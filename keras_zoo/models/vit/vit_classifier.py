import keras

from keras_zoo.models.image_classifier import ImageClassifier
from keras_zoo.models.vit.vit_backbone import LAYER_NORM_EPSILON
from keras_zoo.models.vit.vit_backbone import ViTBackbone


@keras.saving.register_keras_serializable(package="keras_zoo")
class ViT(ImageClassifier):
    """The Vision Transformer classifier (Dosovitskiy et al., ICLR 2021;
    DeiT, Touvron et al., ICML 2021): an `ImageClassifier` over
    `ViTBackbone`, with timm's head: the class token (`global_pool="token"`,
    after the final norm) or the mean patch token (`"avg"`, then a
    LayerNorm, timm's `fc_norm`), dropout (timm's `drop_rate`), a dense
    classifier.

    Takes the backbone's arguments (`patch_size`, `hidden_dim`, `depth`,
    `num_heads`, `input_shape` (224, 224, 3) by default, `global_pool`,
    `drop_path_rate`, ...) and `ImageClassifier`'s (`num_classes`,
    `include_top`, `pooling`, `dropout`, ...).
    """

    backbone_class = ViTBackbone
    compile_family = "vit"  # jit_compile="auto" on PyTorch: keras_zoo.backend.fast_paths

    def __init__(self, input_shape=(224, 224, 3), global_pool="token", head_norm_epsilon=None, **kwargs):
        if head_norm_epsilon is None and global_pool != "token":
            head_norm_epsilon = LAYER_NORM_EPSILON  # timm's fc_norm
        super().__init__(input_shape=input_shape, global_pool=global_pool, head_norm_epsilon=head_norm_epsilon,
                         **kwargs)

    def head_kernel_initializer(self, scale):
        return keras.initializers.RandomNormal(stddev=0.02 * scale)  # timm inits the head as every Linear
