"""Model-parallel layouts (`{variable path regex: axes}`, for
`train.distribution = "model_parallel"`, JAX `ModelParallel`) shared by the
families built of `TransformerBlock`s: ViT and GPT name their blocks
`block<i>`, with the same sublayers."""

# Megatron-style (Shoeybi et al. 2019): query, key and value split by
# output, the attention output by input, and the MLP's fc1 by output,
# fc2 by input: one all-reduce per branch. A projection's output is
# heads-major ((C, H * D), reshaped to (H, D)), so an even split of it
# gives each model shard whole heads when num_heads divides by the
# model axis (otherwise a head straddles two shards: still correct).
# Embeddings, norms, output biases and the head are small: replicated.
# Keys are matched against whole variable paths (`re.fullmatch`).
TRANSFORMER_BLOCKS_LAYOUT = {
    r".*block\d+/self_attention/(query|key|value)/kernel": (None, "model"),
    r".*block\d+/self_attention/(query|key|value)/bias": ("model",),
    r".*block\d+/self_attention/output/kernel": ("model", None),
    r".*block\d+/feed_forward/intermediate/kernel": (None, "model"),
    r".*block\d+/feed_forward/intermediate/bias": ("model",),
    r".*block\d+/feed_forward/output/kernel": ("model", None),
}
