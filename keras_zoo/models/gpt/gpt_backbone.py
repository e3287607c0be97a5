import math

import keras
from keras import ops

from keras_zoo.layers import LearnedPositionEmbedding
from keras_zoo.layers import TransformerBlock
from keras_zoo.layers import tanh_gelu
from keras_zoo.models.backbone import Backbone
from keras_zoo.models.model_parallel_layouts import TRANSFORMER_BLOCKS_LAYOUT
from keras_zoo.utils.validation import check_positive_int, check_rate, offset_seed

LAYER_NORM_EPSILON = 1e-5  # GPT-2's (Hugging Face's layer_norm_epsilon, nanoGPT's LayerNorm)
INIT_STDDEV = 0.02  # GPT-2 / nanoGPT: every matrix and both embeddings
BLOCK_SEED_STRIDE = 16  # seeds per block (TransformerBlock draws offsets below 8)


@keras.saving.register_keras_serializable(package="keras_zoo")
class GPTBackbone(Backbone):
    """GPT-2's decoder (Radford et al., 2019): token and learned position
    embeddings, pre-norm causal blocks (LayerNorm eps 1e-5, attention with
    biases, tanh GELU MLP), a final LayerNorm. int token ids (B, T) in (or
    {"token_ids", "padding_mask"}, the mask bool (B, T), True = a real
    token), hidden states (B, T, d) out; position t sees positions 0..t.
    With a mask no token attends to padding and positions count real tokens
    only, so a left-padded row computes what it computes alone.

    Initialised as GPT-2 and nanoGPT: normal std 0.02 for the embeddings and
    every projection, zero biases, and the two projections of each block
    that write into the residual stream (attention output, MLP fc2) at
    0.02 / sqrt(2 * num_layers).

    For `CausalLM`: `token_embedding` (the output projection is tied to it),
    `call_with_cache` and `empty_cache` (a preallocated key/value cache,
    (B, layers, 2, heads, max_length, head_dim)).

    Args:
        vocabulary_size: int, token ids are 0..vocabulary_size - 1.
        num_layers: int, blocks.
        hidden_dim: int, the model width d.
        num_heads: int, attention heads; d must divide by it.
        intermediate_dim: int, the MLP width; None: 4 * d.
        max_sequence_length: int, learned positions (the longest input).
        dropout: float, on each block's residual branches (GPT-2's
            resid_pdrop).
        attention_dropout: float, on the attention weights (attn_pdrop).
        embedding_dropout: float, on the summed embeddings (embd_pdrop).
        seed: optional int seeding the initialisers and the dropouts.
        dtype: dtype policy.
    """

    # Heads and MLP split Megatron-style as ViT's (the same blocks); the
    # token embedding (GPT-2's largest matrix, 38.6M of 124M) stays replicated.
    model_parallel_layout = TRANSFORMER_BLOCKS_LAYOUT

    def __init__(self, vocabulary_size, num_layers, hidden_dim, num_heads, intermediate_dim=None,
                 max_sequence_length=1024, dropout=0.0, attention_dropout=0.0, embedding_dropout=0.0,
                 seed=None, dtype=None, **kwargs):
        check_positive_int(vocabulary_size=vocabulary_size, num_layers=num_layers, hidden_dim=hidden_dim,
                           num_heads=num_heads, max_sequence_length=max_sequence_length)
        if intermediate_dim is not None:
            check_positive_int(intermediate_dim=intermediate_dim)
        check_rate(dropout=dropout, attention_dropout=attention_dropout, embedding_dropout=embedding_dropout)
        if hidden_dim % num_heads:
            raise ValueError(
                f"`hidden_dim` must divide by `num_heads`. Received: hidden_dim={hidden_dim}, num_heads={num_heads}"
            )
        init = lambda offset, stddev=INIT_STDDEV: keras.initializers.RandomNormal(  # noqa: E731
            stddev=stddev, seed=offset_seed(seed, offset))
        self.token_embedding = keras.layers.ReversibleEmbedding(
            vocabulary_size, hidden_dim, tie_weights=True, reverse_dtype="float32",
            embeddings_initializer=init(0), dtype=dtype, name="token_embedding")
        self.position_embedding = LearnedPositionEmbedding(
            max_sequence_length, initializer=init(1), dtype=dtype, name="position_embedding")
        self.embedding_dropout = keras.layers.Dropout(
            embedding_dropout, seed=offset_seed(seed, 2), dtype=dtype, name="embedding_dropout")
        self.blocks = [
            TransformerBlock(
                intermediate_dim or 4 * hidden_dim, num_heads, dropout=dropout, attention_dropout=attention_dropout,
                activation=tanh_gelu, normalize_first=True, layer_norm_epsilon=LAYER_NORM_EPSILON,
                kernel_initializer=keras.initializers.RandomNormal(stddev=INIT_STDDEV), causal=True,
                seed=offset_seed(seed, BLOCK_SEED_STRIDE * (i + 1)), dtype=dtype, name=f"block{i + 1}")
            for i in range(num_layers)
        ]
        self.final_norm = keras.layers.LayerNormalization(epsilon=LAYER_NORM_EPSILON, dtype=dtype, name="final_norm")

        token_ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
        padding_mask = keras.Input(shape=(None,), dtype="bool", name="padding_mask", optional=True)
        x = self._embed(token_ids, 0, padding_mask)
        for block in self.blocks:
            x = block(x, padding_mask=padding_mask)
        super().__init__(inputs={"token_ids": token_ids, "padding_mask": padding_mask}, outputs=self.final_norm(x),
                         dtype=dtype, **kwargs)
        self.vocabulary_size, self.num_layers, self.hidden_dim, self.num_heads = (
            vocabulary_size, num_layers, hidden_dim, num_heads)
        self.intermediate_dim, self.max_sequence_length = intermediate_dim, max_sequence_length
        self.dropout, self.attention_dropout, self.embedding_dropout_rate = dropout, attention_dropout, embedding_dropout
        self.seed = seed
        self._scale_residual_projections(seed)

    def _scale_residual_projections(self, seed):
        """GPT-2's "modified initialization which accounts for the
        accumulation on the residual path" (nanoGPT's c_proj rule)."""
        stddev = INIT_STDDEV / math.sqrt(2 * self.num_layers)
        for i, block in enumerate(self.blocks):
            for j, dense in enumerate((block.self_attention.output_dense, block.feed_forward.output_dense)):
                initializer = keras.initializers.RandomNormal(
                    stddev=stddev, seed=offset_seed(seed, BLOCK_SEED_STRIDE * (i + 1) + 8 + j))
                dense.kernel.assign(initializer(dense.kernel.shape, dense.kernel.dtype))

    def _embed(self, token_ids, start_index, padding_mask=None, training=None):
        x = self.token_embedding(token_ids)
        x = x + self.position_embedding(x, start_index=start_index, padding_mask=padding_mask)
        return self.embedding_dropout(x, training=training)

    def call_with_cache(self, token_ids, cache, cache_index, padding_mask=None):
        """Hidden states of `token_ids` (B, t) in the cache's slots
        cache_index..., attending to the earlier slots; returns (hidden,
        cache). `padding_mask` (B, cache length), True = a real token, marks
        the slots a left-padded prompt left empty: they are never attended
        to, and positions count real tokens only."""
        x = self._embed(token_ids, cache_index, padding_mask, training=False)
        caches = []
        for n, block in enumerate(self.blocks):
            x, layer_cache = block(x, padding_mask=padding_mask, cache=cache[:, n], cache_index=cache_index)
            caches.append(layer_cache)
        return self.final_norm(x), ops.stack(caches, axis=1)

    def empty_cache(self, batch_size, max_length):
        if max_length > self.max_sequence_length:
            raise ValueError(
                f"This GPT has {self.max_sequence_length} positions; a cache of {max_length} needs more. "
                f"Received: max_length={max_length}"
            )
        head_dim = self.hidden_dim // self.num_heads
        return ops.zeros((batch_size, self.num_layers, 2, self.num_heads, max_length, head_dim),
                         dtype=self.blocks[0].compute_dtype)

    def get_config(self):
        return {
            **super().get_config(),
            "vocabulary_size": self.vocabulary_size,
            "num_layers": self.num_layers,
            "hidden_dim": self.hidden_dim,
            "num_heads": self.num_heads,
            "intermediate_dim": self.intermediate_dim,
            "max_sequence_length": self.max_sequence_length,
            "dropout": self.dropout,
            "attention_dropout": self.attention_dropout,
            "embedding_dropout": self.embedding_dropout_rate,
            "seed": self.seed,
        }
