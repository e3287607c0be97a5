"""BERT's two pretraining heads together (Devlin et al., 2019, section 3.1;
Hugging Face's `BertForPreTraining`): masked-token logits over the sequence
and next-sentence logits over the pooled `[CLS]` output."""

import keras

from keras_zoo.layers.masked_lm_head import MaskedLMHead
from keras_zoo.models.language_model import LanguageModel
from keras_zoo.models.masked_lm import MaskedLM


@keras.saving.register_keras_serializable(package="keras_zoo")
class NextSentenceMaskedLM(MaskedLM):
    """A `MaskedLM` (same arguments and config) with a second output: the
    backbone's inputs -> {"masked_lm_logits": float32 (B, T, V),
    "next_sentence_logits": float32 (B, 2)} (class 0: sentence B follows
    sentence A, as Hugging Face's `next_sentence_label`; 1: a random one).

    Args:
        backbone: a functional encoder with dict outputs holding
            "sequence_output" and "pooled_output", and a `token_embedding`
            that is a `keras.layers.ReversibleEmbedding`.
        activation, layer_norm_epsilon, kernel_initializer: the masked-LM
            head's transform (BERT: exact GELU, 1e-12, truncated normal
            0.02); the initializer is also the next-sentence classifier's.
    """

    def __init__(self, backbone, activation="gelu", layer_norm_epsilon=1e-12,
                 kernel_initializer="glorot_uniform", dtype=None, **kwargs):
        outputs = backbone.output
        if not isinstance(outputs, dict) or not {"sequence_output", "pooled_output"} <= set(outputs):
            raise ValueError(
                "NextSentenceMaskedLM needs a backbone whose outputs are a dict holding 'sequence_output' and "
                f"'pooled_output'. Received: {type(backbone).__name__} with outputs {outputs}")
        if dtype is None:
            dtype = backbone.dtype_policy
        self.backbone = backbone
        self.head = MaskedLMHead(backbone.token_embedding, activation=activation,
                                 layer_norm_epsilon=layer_norm_epsilon, kernel_initializer=kernel_initializer,
                                 dtype=dtype, name="masked_lm_head")
        self.next_sentence = keras.layers.Dense(2, kernel_initializer=kernel_initializer, dtype=dtype,
                                                name="next_sentence")
        inputs = backbone.input
        features = backbone(inputs)
        next_sentence_logits = keras.layers.Activation("linear", dtype="float32", name="next_sentence_logits")(
            self.next_sentence(features["pooled_output"]))
        # The functional model of both heads, not MaskedLM's single output.
        outputs = {"masked_lm_logits": self.head(features["sequence_output"]),
                   "next_sentence_logits": next_sentence_logits}
        LanguageModel.__init__(self, inputs=inputs, outputs=outputs, dtype=dtype, **kwargs)
        self.activation = activation
        self.layer_norm_epsilon = layer_norm_epsilon
        self.kernel_initializer = kernel_initializer
