import keras

from keras_zoo.layers import ClassTokenPooling
from keras_zoo.layers import Dense
from keras_zoo.layers import LearnedPositionEmbedding
from keras_zoo.layers import PaddingMask
from keras_zoo.layers import SegmentEmbedding
from keras_zoo.layers import TransformerBlock
from keras_zoo.models.backbone import Backbone
from keras_zoo.models.model_parallel_layouts import TRANSFORMER_BLOCKS_LAYOUT
from keras_zoo.utils.validation import check_positive_int, check_rate, offset_seed

LAYER_NORM_EPSILON = 1e-12  # BERT's (google-research/bert, Hugging Face's layer_norm_eps)
INIT_STDDEV = 0.02  # BERT's initializer_range, a truncated normal in the original code
PADDING_TOKEN_ID = 0  # [PAD] in BERT's WordPiece vocabularies
BLOCK_SEED_STRIDE = 16  # seeds per block (TransformerBlock draws offsets below 8)


@keras.saving.register_keras_serializable(package="keras_zoo")
class BERTBackbone(Backbone):
    """BERT's encoder (Devlin et al., 2019): token, segment and learned
    position embeddings summed, LayerNorm (eps 1e-12) and dropout, post-norm
    blocks (attention with biases, exact GELU, MLP 4x), and the pooler (a
    tanh Dense over the first token, [CLS]).

    Inputs {"token_ids" (B, T) int, "segment_ids" (B, T) int, optional: all
    0, "padding_mask" (B, T) bool, optional: token_ids != padding_token_id};
    token ids alone are accepted too. Outputs {"sequence_output" (B, T, d),
    "pooled_output" (B, d)}. Positions are 0..T-1 (padding goes on the
    right, as BERT's); no token attends to padding.

    Initialised as the original code: truncated normal std 0.02 for the
    embeddings and every projection, zero biases, unit LayerNorms.

    For `MaskedLM`: `token_embedding` (the output projection is tied to it).

    Args:
        vocabulary_size: int, token ids are 0..vocabulary_size - 1.
        num_layers: int, blocks.
        hidden_dim: int, the model width d.
        num_heads: int, attention heads; d must divide by it.
        intermediate_dim: int, the MLP width; None: 4 * d.
        max_sequence_length: int, learned positions (the longest input).
        num_segments: int, segment ids are 0..num_segments - 1.
        dropout: float, on the embeddings and each block's residual
            branches (BERT's hidden_dropout_prob).
        attention_dropout: float, on the attention weights
            (attention_probs_dropout_prob).
        padding_token_id: int or None, the id a padding mask is inferred
            from when none is given.
        seed: optional int seeding the initialisers and the dropouts.
        dtype: dtype policy.
    """

    feature_key = "sequence_output"
    model_parallel_layout = TRANSFORMER_BLOCKS_LAYOUT

    def __init__(self, vocabulary_size, num_layers, hidden_dim, num_heads, intermediate_dim=None,
                 max_sequence_length=512, num_segments=2, dropout=0.1, attention_dropout=0.1,
                 padding_token_id=PADDING_TOKEN_ID, seed=None, dtype=None, **kwargs):
        check_positive_int(vocabulary_size=vocabulary_size, num_layers=num_layers, hidden_dim=hidden_dim,
                           num_heads=num_heads, max_sequence_length=max_sequence_length, num_segments=num_segments)
        if intermediate_dim is not None:
            check_positive_int(intermediate_dim=intermediate_dim)
        check_rate(dropout=dropout, attention_dropout=attention_dropout)
        if hidden_dim % num_heads:
            raise ValueError(
                f"`hidden_dim` must divide by `num_heads`. Received: hidden_dim={hidden_dim}, num_heads={num_heads}"
            )
        if padding_token_id is not None and not 0 <= padding_token_id < vocabulary_size:
            raise ValueError(
                f"`padding_token_id` must be a token id (0..{vocabulary_size - 1}) or None. "
                f"Received: padding_token_id={padding_token_id}"
            )
        init = lambda offset: keras.initializers.TruncatedNormal(  # noqa: E731
            stddev=INIT_STDDEV, seed=offset_seed(seed, offset))
        self.token_embedding = keras.layers.ReversibleEmbedding(
            vocabulary_size, hidden_dim, tie_weights=True, reverse_dtype="float32",
            embeddings_initializer=init(0), dtype=dtype, name="token_embedding")
        self.segment_embedding = SegmentEmbedding(
            num_segments, hidden_dim, embeddings_initializer=init(1), dtype=dtype, name="segment_embedding")
        self.position_embedding = LearnedPositionEmbedding(
            max_sequence_length, initializer=init(2), dtype=dtype, name="position_embedding")
        self.embedding_norm = keras.layers.LayerNormalization(
            epsilon=LAYER_NORM_EPSILON, dtype=dtype, name="embedding_norm")
        self.embedding_dropout = keras.layers.Dropout(
            dropout, seed=offset_seed(seed, 3), dtype=dtype, name="embedding_dropout")
        self.blocks = [
            TransformerBlock(
                intermediate_dim or 4 * hidden_dim, num_heads, dropout=dropout, attention_dropout=attention_dropout,
                activation="gelu", normalize_first=False, layer_norm_epsilon=LAYER_NORM_EPSILON,
                kernel_initializer=keras.initializers.TruncatedNormal(stddev=INIT_STDDEV),
                seed=offset_seed(seed, BLOCK_SEED_STRIDE * (i + 1)), dtype=dtype, name=f"block{i + 1}")
            for i in range(num_layers)
        ]
        self.pooler = Dense(hidden_dim, activation="tanh", kernel_initializer=init(4), dtype=dtype, name="pooler")

        token_ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
        segment_ids = keras.Input(shape=(None,), dtype="int32", name="segment_ids", optional=True)
        padding_mask = keras.Input(shape=(None,), dtype="bool", name="padding_mask", optional=True)
        mask = PaddingMask(padding_token_id, dtype=dtype, name="padding_mask_or_ids")(token_ids, padding_mask)
        x = self.token_embedding(token_ids) + self.segment_embedding(token_ids, segment_ids)
        x = x + self.position_embedding(x)
        x = self.embedding_dropout(self.embedding_norm(x))
        for block in self.blocks:
            x = block(x, padding_mask=mask)
        pooled = self.pooler(ClassTokenPooling(dtype=dtype, name="first_token")(x))
        super().__init__(
            inputs={"token_ids": token_ids, "segment_ids": segment_ids, "padding_mask": padding_mask},
            outputs={"sequence_output": x, "pooled_output": pooled}, dtype=dtype, **kwargs)
        self.vocabulary_size, self.num_layers, self.hidden_dim, self.num_heads = (
            vocabulary_size, num_layers, hidden_dim, num_heads)
        self.intermediate_dim, self.max_sequence_length, self.num_segments = (
            intermediate_dim, max_sequence_length, num_segments)
        self.dropout, self.attention_dropout = dropout, attention_dropout
        self.padding_token_id, self.seed = padding_token_id, seed

    def get_config(self):
        return {
            **super().get_config(),
            "vocabulary_size": self.vocabulary_size,
            "num_layers": self.num_layers,
            "hidden_dim": self.hidden_dim,
            "num_heads": self.num_heads,
            "intermediate_dim": self.intermediate_dim,
            "max_sequence_length": self.max_sequence_length,
            "num_segments": self.num_segments,
            "dropout": self.dropout,
            "attention_dropout": self.attention_dropout,
            "padding_token_id": self.padding_token_id,
            "seed": self.seed,
        }
