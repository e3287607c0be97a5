"""A sequence classifier over a text encoder's pooled output (BERT's
fine-tuning head: Devlin et al., 2019, section 4; Hugging Face's
`BertForSequenceClassification`)."""

import keras

from keras_zoo.models.backbone import deserialize_dtype
from keras_zoo.models.backbone import model_config
from keras_zoo.models.language_model import LanguageModel
from keras_zoo.utils.validation import check_rate


@keras.saving.register_keras_serializable(package="keras_zoo")
class TextClassifier(LanguageModel):
    """The backbone's inputs -> float32 logits (B, num_classes): dropout and
    a Dense over the backbone's "pooled_output" (B, d).

    Args:
        backbone: a functional encoder with dict outputs holding
            "pooled_output", and a `token_embedding` (its vocabulary).
        num_classes: int.
        dropout: float, before the classifier (BERT: its hidden dropout).
        kernel_initializer: the classifier's (BERT: truncated normal 0.02).
        seed: optional int seeding the dropout.
    """

    def __init__(self, backbone, num_classes, dropout=0.1, kernel_initializer="glorot_uniform", seed=None,
                 dtype=None, **kwargs):
        if not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f"`num_classes` must be a positive int. Received: num_classes={num_classes}")
        check_rate(dropout=dropout)
        outputs = backbone.output
        if not isinstance(outputs, dict) or "pooled_output" not in outputs:
            raise ValueError(
                "TextClassifier needs a backbone whose outputs are a dict holding 'pooled_output'. "
                f"Received: {type(backbone).__name__} with outputs {backbone.output}"
            )
        if dtype is None:
            dtype = backbone.dtype_policy
        self.backbone = backbone
        self.classifier_dropout = keras.layers.Dropout(dropout, seed=seed, dtype=dtype, name="classifier_dropout")
        self.classifier = keras.layers.Dense(num_classes, kernel_initializer=kernel_initializer, dtype=dtype,
                                             name="classifier")
        inputs = backbone.input
        pooled = backbone(inputs)["pooled_output"]
        logits = keras.layers.Activation("linear", dtype="float32", name="logits")(
            self.classifier(self.classifier_dropout(pooled)))
        super().__init__(inputs=inputs, outputs=logits, dtype=dtype, **kwargs)
        self.num_classes, self.dropout, self.seed = num_classes, dropout, seed
        self.kernel_initializer = kernel_initializer

    @property
    def vocabulary_size(self):
        return self.backbone.token_embedding.input_dim

    def get_config(self):
        return {
            **model_config(self),
            "backbone": keras.saving.serialize_keras_object(self.backbone),
            "num_classes": self.num_classes,
            "dropout": self.dropout,
            "kernel_initializer": keras.initializers.serialize(keras.initializers.get(self.kernel_initializer)),
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = deserialize_dtype(config)
        config["backbone"] = keras.saving.deserialize_keras_object(config["backbone"])
        return cls(**config)
