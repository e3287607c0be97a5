"""Masked-token logits over a bidirectional encoder backbone (BERT's
pretraining head: Devlin et al., 2019)."""

import keras

from keras_zoo.layers.masked_lm_head import MaskedLMHead
from keras_zoo.models.backbone import deserialize_dtype
from keras_zoo.models.backbone import model_config
from keras_zoo.models.language_model import LanguageModel


@keras.saving.register_keras_serializable(package="keras_zoo")
class MaskedLM(LanguageModel):
    """The backbone's inputs -> float32 logits (B, T, V) at every position,
    through `keras_zoo.layers.MaskedLMHead` (Dense + activation + LayerNorm,
    then the token embedding's matrix and a bias per token). The loss
    decides which positions count (the masked ones).

    The backbone is a functional model whose output is the sequence
    (B, T, d), or a dict holding it under its `feature_key` (default
    "sequence_output"), and whose `token_embedding` is a
    `keras.layers.ReversibleEmbedding`. Its inputs are token ids (B, T) or a
    dict holding them under "token_ids".

    Args:
        backbone: the encoder.
        activation, layer_norm_epsilon, kernel_initializer: the head's
            transform (BERT: exact GELU, 1e-12, truncated normal 0.02).
    """

    def __init__(self, backbone, activation="gelu", layer_norm_epsilon=1e-12,
                 kernel_initializer="glorot_uniform", dtype=None, **kwargs):
        if not isinstance(getattr(backbone, "token_embedding", None), keras.layers.ReversibleEmbedding):
            raise ValueError(
                "MaskedLM needs a backbone whose `token_embedding` is a keras.layers.ReversibleEmbedding. "
                f"Received: {type(backbone).__name__}"
            )
        if dtype is None:
            dtype = backbone.dtype_policy
        self.backbone = backbone
        self.head = MaskedLMHead(backbone.token_embedding, activation=activation,
                                 layer_norm_epsilon=layer_norm_epsilon, kernel_initializer=kernel_initializer,
                                 dtype=dtype, name="masked_lm_head")
        inputs = backbone.input
        sequence = backbone(inputs)
        if isinstance(sequence, dict):
            sequence = sequence[getattr(backbone, "feature_key", None) or "sequence_output"]
        super().__init__(inputs=inputs, outputs=self.head(sequence), dtype=dtype, **kwargs)
        self.activation = activation
        self.layer_norm_epsilon = layer_norm_epsilon
        self.kernel_initializer = kernel_initializer

    @property
    def vocabulary_size(self):
        return self.backbone.token_embedding.input_dim

    def get_config(self):
        return {
            **model_config(self),
            "backbone": keras.saving.serialize_keras_object(self.backbone),
            "activation": self.activation,
            "layer_norm_epsilon": self.layer_norm_epsilon,
            "kernel_initializer": keras.initializers.serialize(keras.initializers.get(self.kernel_initializer)),
        }

    @classmethod
    def from_config(cls, config):
        config = deserialize_dtype(config)
        config["backbone"] = keras.saving.deserialize_keras_object(config["backbone"])
        return cls(**config)
