import math

import keras
from keras import ops

from keras_zoo.layers.positional_encoding import LearnedPositionEmbedding, SinusoidalPositionEncoding
from keras_zoo.layers.transformer_decoder_layer import TransformerDecoderLayer
from keras_zoo.layers.transformer_encoder_layer import TransformerEncoderLayer
from keras_zoo.models.backbone import deserialize_dtype, model_config
from keras_zoo.models.seq2seq_lm import Seq2SeqLM
from keras_zoo.utils.validation import check_positive_int, offset_seed

_POSITION_ENCODINGS = ("sinusoidal", "learned")
PADDING_ID = 0

# The module functions below take the model (its sublayers are attributes)
# and run before keras.Model.__init__, while the functional graph is built.


def _embed(model, embedding, position, dropout, ids, start_index, training):
    # Embeddings are scaled by sqrt(d_model) (section 3.4) before the
    # positions are added; dropout on the sum (section 5.4).
    # A Python float keeps the embedding's dtype on every backend; a cast
    # tensor here became a dangling graph input in tf2onnx's ONNX export.
    x = embedding(ids) * model.embedding_scale  # (B, T, d)
    x = x + position(x, start_index=start_index)
    return dropout(x, training=training)


def _encode(model, source_ids, training=None):
    padding_mask = ops.not_equal(source_ids, PADDING_ID)  # (B, S)
    x = _embed(model, model.source_embedding, model.source_position,
               model.source_dropout, source_ids, 0, training)
    for layer in model.encoder_layers:
        x = layer(x, padding_mask=padding_mask, training=training)
    return model.encoder_norm(x)  # (B, S, d)


def _decode(model, target_ids, encoder_output, source_padding_mask, cache=None,
            cache_index=None, training=None):
    """Logits (B, T, V) float32; with a cache (B, N, 2, H, L, d/H) the
    target ids sit at positions `cache_index...` and the updated cache is
    returned too."""
    start = 0 if cache_index is None else cache_index
    x = _embed(model, model.target_embedding, model.target_position,
               model.target_dropout, target_ids, start, training)
    # With a cache, unwritten slots are masked by the causal mask instead.
    target_mask = None if cache is not None else ops.not_equal(target_ids, PADDING_ID)
    layer_caches = []
    for n, layer in enumerate(model.decoder_layers):
        outputs = layer(
            x, encoder_output, decoder_padding_mask=target_mask,
            encoder_padding_mask=source_padding_mask,
            self_attention_cache=None if cache is None else cache[:, n],
            cache_index=cache_index, training=training,
        )
        if cache is None:
            x = outputs
        else:
            x, layer_cache = outputs
            layer_caches.append(layer_cache)
    x = model.decoder_norm(x)
    logits = model.target_embedding(x, reverse=True)  # tied: x @ E^T, (B, T, V) float32
    return logits if cache is None else (logits, ops.stack(layer_caches, axis=1))


@keras.saving.register_keras_serializable(package="keras_zoo")
class Transformer(Seq2SeqLM):
    """The encoder-decoder Transformer of "Attention Is All You Need"
    (Vaswani et al., 2017).

    Inputs: `{"source": (B, S) int ids, "target": (B, T) int ids}`, 0 being
    padding; the target is the shifted-right decoder input (start token
    first). Output: float32 logits (B, T, vocabulary). Padded source tokens
    are never attended to; target position t sees targets 0..t only.
    Ids given as numpy arrays or lists (calls, `predict`, `generate`) must
    be integers inside the vocabulary, or a `ValueError` says which id is
    where; tensors, whose values a compiled graph does not know, are not
    checked (an id outside the vocabulary gives NaN on JAX there).

    With a single shared vocabulary (`target_vocabulary_size=None`) the
    source embedding, the target embedding and the output projection are one
    matrix (section 3.4); otherwise the target embedding and the output
    projection are shared.

    Args:
        vocabulary_size: int, the (source) vocabulary.
        num_layers: int, N, layers in the encoder and in the decoder.
        hidden_dim: int, d_model.
        intermediate_dim: int, d_ff.
        num_heads: int, h.
        dropout: float, on embeddings and sub-layer outputs (P_drop).
        attention_dropout: float, on attention weights (0 in the paper).
        target_vocabulary_size: None (shared vocabulary) or int.
        position_encoding: "sinusoidal" (the paper) or "learned".
        max_sequence_length: int, positions of a "learned" encoding.
        normalize_first: bool, pre-norm layers and a final LayerNorm.
        layer_norm_epsilon: float.
        seed: optional int seed of every dropout generator.
    """

    compile_family = "transformer"  # jit_compile="auto" on PyTorch: keras_zoo.backend.fast_paths

    def __init__(
        self,
        vocabulary_size,
        num_layers,
        hidden_dim,
        intermediate_dim,
        num_heads,
        dropout=0.1,
        attention_dropout=0.0,
        target_vocabulary_size=None,
        position_encoding="sinusoidal",
        max_sequence_length=None,
        normalize_first=False,
        layer_norm_epsilon=1e-6,
        seed=None,
        dtype=None,
        **kwargs,
    ):
        check_positive_int(vocabulary_size=vocabulary_size, num_layers=num_layers, hidden_dim=hidden_dim)
        if hidden_dim % num_heads:
            raise ValueError(
                f"`hidden_dim` must be divisible by `num_heads`. Received: "
                f"hidden_dim={hidden_dim}, num_heads={num_heads}"
            )
        if position_encoding not in _POSITION_ENCODINGS:
            raise ValueError(
                f"`position_encoding` must be one of {_POSITION_ENCODINGS}. "
                f"Received: position_encoding={position_encoding!r}"
            )
        if position_encoding == "learned" and not isinstance(max_sequence_length, int):
            raise ValueError(
                "A learned position encoding needs an int `max_sequence_length`. "
                f"Received: max_sequence_length={max_sequence_length}"
            )

        # === Layers ===
        def embedding(size, name):
            # N(0, d^-1/2), so that the sqrt(d)-scaled embeddings have unit
            # scale (tensor2tensor's choice).
            return keras.layers.ReversibleEmbedding(
                size, hidden_dim, tie_weights=True, reverse_dtype="float32",
                embeddings_initializer=keras.initializers.RandomNormal(stddev=hidden_dim**-0.5),
                dtype=dtype, name=name,
            )

        def position(name):
            if position_encoding == "learned":
                return LearnedPositionEmbedding(max_sequence_length, dtype=dtype, name=name)
            return SinusoidalPositionEncoding(dtype=dtype, name=name)

        def final_norm(name):  # post-norm layers already end in a LayerNorm
            if normalize_first:
                return keras.layers.LayerNormalization(epsilon=layer_norm_epsilon, dtype=dtype, name=name)
            return keras.layers.Identity(dtype=dtype, name=name)

        layer_args = dict(
            intermediate_dim=intermediate_dim, num_heads=num_heads, dropout=dropout,
            attention_dropout=attention_dropout, normalize_first=normalize_first,
            layer_norm_epsilon=layer_norm_epsilon, dtype=dtype,
        )
        self.embedding_scale = math.sqrt(hidden_dim)
        self.source_embedding = embedding(vocabulary_size, "token_embedding"
                                          if target_vocabulary_size is None else "source_embedding")
        self.target_embedding = (self.source_embedding if target_vocabulary_size is None
                                 else embedding(target_vocabulary_size, "target_embedding"))
        self.source_position = position("source_position")
        self.target_position = position("target_position")
        self.source_dropout = keras.layers.Dropout(dropout, seed=offset_seed(seed, 0), dtype=dtype,
                                                   name="source_dropout")
        self.target_dropout = keras.layers.Dropout(dropout, seed=offset_seed(seed, 1), dtype=dtype,
                                                   name="target_dropout")
        self.encoder_layers = [
            TransformerEncoderLayer(**layer_args, seed=offset_seed(seed, 10 * (i + 1)), name=f"encoder_layer_{i}")
            for i in range(num_layers)
        ]
        self.decoder_layers = [
            TransformerDecoderLayer(**layer_args, seed=offset_seed(seed, 10 * (num_layers + i + 1)),
                                    name=f"decoder_layer_{i}")
            for i in range(num_layers)
        ]
        self.encoder_norm = final_norm("encoder_norm")
        self.decoder_norm = final_norm("decoder_norm")

        # === Functional model ===
        source = keras.Input(shape=(None,), dtype="int32", name="source")
        target = keras.Input(shape=(None,), dtype="int32", name="target")
        encoder_output = _encode(self, source)
        logits = _decode(self, target, encoder_output, ops.not_equal(source, PADDING_ID))
        super().__init__(inputs={"source": source, "target": target}, outputs=logits,
                         dtype=dtype, **kwargs)

        # === Config ===
        self.vocabulary_size = vocabulary_size
        self.num_layers = num_layers
        self.hidden_dim = hidden_dim
        self.intermediate_dim = intermediate_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.attention_dropout = attention_dropout
        self.target_vocabulary_size = target_vocabulary_size
        self.position_encoding = position_encoding
        self.max_sequence_length = max_sequence_length
        self.normalize_first = normalize_first
        self.layer_norm_epsilon = layer_norm_epsilon
        self.seed = seed

    @property
    def output_vocabulary_size(self):
        return self.target_vocabulary_size or self.vocabulary_size

    # --- Pieces for generation ---
    def encode(self, source_ids, training=False):
        """(B, S) ids -> encoder output (B, S, d)."""
        return _encode(self, source_ids, training=training)

    def decode(self, target_ids, encoder_output, source_padding_mask, cache=None,
               cache_index=None, training=False):
        """Decoder logits (B, T, V); with `cache`, also the updated cache."""
        return _decode(self, target_ids, encoder_output, source_padding_mask,
                       cache=cache, cache_index=cache_index, training=training)

    def empty_cache(self, batch_size, max_length):
        """Zeros (B, N, 2, H, max_length, d/H): keys and values of every
        decoder layer's self-attention."""
        return ops.zeros(
            (batch_size, self.num_layers, 2, self.num_heads, max_length,
             self.hidden_dim // self.num_heads),
            # The layers' compute dtype: they autocast a cache to it anyway.
            dtype=self.decoder_layers[0].compute_dtype,
        )

    def cross_attention_scores(self, inputs):
        """Where the decoder looks in the source: for teacher-forced
        `inputs` ({"source": (B, S), "target": (B, T)} ids), a list with
        one float32 (B, H, T, S) array of cross-attention weights per
        decoder layer (inference mode, no dropout)."""
        source_ids, target_ids = inputs["source"], inputs["target"]
        encoder_output = self.encode(source_ids)
        x = _embed(self, self.target_embedding, self.target_position, self.target_dropout, target_ids, 0, False)
        scores = []
        for layer in self.decoder_layers:
            x, layer_scores = layer(
                x, encoder_output, decoder_padding_mask=ops.not_equal(target_ids, PADDING_ID),
                encoder_padding_mask=ops.not_equal(source_ids, PADDING_ID),
                return_cross_attention_scores=True, training=False)
            scores.append(ops.cast(layer_scores, "float32"))
        return scores

    def get_config(self):
        return {
            **model_config(self),
            "vocabulary_size": self.vocabulary_size,
            "num_layers": self.num_layers,
            "hidden_dim": self.hidden_dim,
            "intermediate_dim": self.intermediate_dim,
            "num_heads": self.num_heads,
            "dropout": self.dropout,
            "attention_dropout": self.attention_dropout,
            "target_vocabulary_size": self.target_vocabulary_size,
            "position_encoding": self.position_encoding,
            "max_sequence_length": self.max_sequence_length,
            "normalize_first": self.normalize_first,
            "layer_norm_epsilon": self.layer_norm_epsilon,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**deserialize_dtype(config))
