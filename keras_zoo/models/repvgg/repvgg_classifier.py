import keras

from keras_zoo.models.image_classifier import ImageClassifier
from keras_zoo.models.repvgg.repvgg_backbone import RepVGGBackbone


@keras.saving.register_keras_serializable(package="keras_zoo")
class RepVGG(ImageClassifier):
    """RepVGG image classifier (Ding et al., CVPR 2021): an `ImageClassifier`
    over `RepVGGBackbone`, with the paper's head: global average pooling and
    a dense classifier.

    Takes the backbone's arguments (`depths`, `widths`, `stem_width`,
    `groups`, `input_shape` (224, 224, 3) by default, `deploy`) and
    `ImageClassifier`'s (`num_classes`, `include_top`, `pooling`, ...).
    Train with the train form; `keras_zoo.models.repvgg.reparameterize(model)`
    returns the deploy form with equal inference outputs.
    """

    backbone_class = RepVGGBackbone

    def __init__(self, input_shape=(224, 224, 3), **kwargs):
        super().__init__(input_shape=input_shape, **kwargs)

    def head_kernel_initializer(self, scale):
        return keras.initializers.RandomNormal(stddev=0.01 * scale)  # timm's byobnet Linear init

    @property
    def deploy(self):
        return self.backbone.deploy
