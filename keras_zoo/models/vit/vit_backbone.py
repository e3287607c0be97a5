import keras

from keras_zoo.layers import ClassToken
from keras_zoo.layers import PatchEmbedding
from keras_zoo.layers import PatchPositionEmbedding
from keras_zoo.layers import TokenGrid
from keras_zoo.layers import TransformerBlock
from keras_zoo.layers.position_embedding_resample import grid_pair
from keras_zoo.models.image_model import ImageModel
from keras_zoo.models.model_parallel_layouts import TRANSFORMER_BLOCKS_LAYOUT
from keras_zoo.utils.validation import check_positive_int, check_rate, offset_seed
import numpy as np

GLOBAL_POOLS = ("token", "avg")
LAYER_NORM_EPSILON = 1e-6  # timm's ViT, after the original JAX code
# Seeds: block i (0-based) draws from seed + BLOCK_SEED_STRIDE * i; the position dropout after them.
BLOCK_SEED_STRIDE = 10


def vit_dense_initializer():
    """timm's `init_weights_vit_timm`: trunc_normal_(std=0.02), whose bounds
    are +-2 in absolute terms (100 std), so a plain normal; biases zero."""
    return keras.initializers.RandomNormal(stddev=0.02)


def vit_patch_initializer():
    """PyTorch's default `Conv2d` init, which timm's ViT keeps for the patch
    projection: kaiming_uniform(a=sqrt(5)) = U(+-1/sqrt(fan_in))."""
    return keras.initializers.VarianceScaling(1.0 / 3.0, mode="fan_in", distribution="uniform")


def _check_input_shape(input_shape, patch_size):
    if input_shape is None or len(input_shape) != 3 or input_shape[-1] is None or input_shape[-1] < 1:
        raise ValueError(
            "`input_shape` must be (height, width, channels), channels last, channels known. "
            f"Received: input_shape={input_shape}"
        )
    for side, patch in zip(input_shape[:2], patch_size):
        if side is not None and (side < patch or side % patch):
            raise ValueError(
                f"Image sides must be multiples of the patch size {patch_size}, or None (any size). "
                f"Received: input_shape={input_shape}"
            )
    return tuple(input_shape)


@keras.saving.register_keras_serializable(package="keras_zoo")
class ViTBackbone(ImageModel):
    """The Vision Transformer's encoder (Dosovitskiy et al., "An Image is
    Worth 16x16 Words", ICLR 2021), as timm's `VisionTransformer` without
    its head: patch embedding, class token, learned position embedding,
    pre-norm transformer blocks, final LayerNorm.

    Outputs a dict: "tokens" (B, 1 + h * w, hidden_dim) (after the final
    norm with `global_pool="token"`; before it with "avg", whose norm comes
    after pooling, timm's `fc_norm`), and for each block number i in
    `feature_blocks` "block{i}": its patch tokens as a (B, h, w, hidden_dim)
    map (h = height / patch_size), for dense heads.

    Any resolution: with a known `input_shape` the position table is stored
    for that grid (weights saved at another one are resampled on loading);
    with None sides it is stored for `position_grid` and resampled at run
    time to each image's grid (timm's `dynamic_img_size`).

    Args:
        patch_size: int or (height, width).
        hidden_dim: int, the token width.
        depth: int, transformer blocks.
        num_heads: int, attention heads.
        mlp_ratio: float, the MLP's hidden width over `hidden_dim`.
        input_shape: (height, width, channels); sides may be None.
        position_grid: int or (height, width), the patch grid the position
            table is stored for; default the input's grid (needed when the
            input's sides are None).
        global_pool: "token" (the class token) or "avg" (the mean patch
            token), how a classifier pools; decides where the final norm is.
        layer_scale_init_value: None, or the initial per-channel scale of
            each residual branch (CaiT's layer scale).
        drop_path_rate: float, stochastic depth of the last block, rising
            linearly from 0 at the first (timm's `dpr`).
        attention_dropout: float, on the attention weights (timm's attn_drop_rate).
        projection_dropout: float, after each branch's output projection and
            the MLP's activation (timm's proj_drop_rate).
        position_dropout: float, after adding the position embedding (pos_drop_rate).
        feature_blocks: block numbers (1 to depth) whose token maps are outputs.
        seed: optional int; block i's dropout and stochastic depth draw from
            seed + 10 * i.
    """

    model_parallel_layout = TRANSFORMER_BLOCKS_LAYOUT  # Megatron-style heads and MLP splits

    def __init__(
        self,
        patch_size,
        hidden_dim,
        depth,
        num_heads,
        mlp_ratio=4.0,
        input_shape=(224, 224, 3),
        position_grid=None,
        global_pool="token",
        layer_scale_init_value=None,
        drop_path_rate=0.0,
        attention_dropout=0.0,
        projection_dropout=0.0,
        position_dropout=0.0,
        feature_blocks=(),
        seed=None,
        dtype=None,
        **kwargs,
    ):
        check_positive_int(hidden_dim=hidden_dim, depth=depth, num_heads=num_heads)
        check_rate(drop_path_rate=drop_path_rate, attention_dropout=attention_dropout,
                   projection_dropout=projection_dropout, position_dropout=position_dropout)
        patch_pair = grid_pair(patch_size, "patch_size")
        input_shape = _check_input_shape(input_shape, patch_pair)
        if global_pool not in GLOBAL_POOLS:
            raise ValueError(f"`global_pool` must be one of {GLOBAL_POOLS}. Received: global_pool={global_pool!r}")
        feature_blocks = tuple(feature_blocks)
        if any(isinstance(b, bool) or not isinstance(b, int) or not 1 <= b <= depth for b in feature_blocks):
            raise ValueError(
                f"`feature_blocks` must hold block numbers from 1 to depth={depth}. Received: feature_blocks={feature_blocks}"
            )
        image_grid = tuple(None if side is None else side // patch for side, patch in zip(input_shape, patch_pair))
        if position_grid is None:
            if None in image_grid:
                raise ValueError(
                    "With None image sides, pass `position_grid`: the patch grid the position table is stored for "
                    f"(224 // patch_size for timm's checkpoints). Received: input_shape={input_shape}"
                )
            position_grid = image_grid
        position_grid = grid_pair(tuple(position_grid) if isinstance(position_grid, list) else position_grid,
                                  "position_grid")
        intermediate_dim = int(hidden_dim * mlp_ratio)

        # === Layers and functional model ===
        images = keras.Input(shape=input_shape, name="images")
        grid = PatchEmbedding(
            hidden_dim, patch_pair, kernel_initializer=vit_patch_initializer(), flatten=False,
            dtype=dtype, name="patch_embedding",
        )(images)  # (B, h, w, C)
        x = keras.layers.Reshape((-1, hidden_dim), dtype=dtype, name="patch_tokens")(grid)  # (B, h * w, C)
        x = ClassToken(dtype=dtype, name="class_token")(x)  # (B, 1 + h * w, C)
        positions = PatchPositionEmbedding(position_grid, num_prefix_tokens=1, dtype=dtype,
                                           name="position_embedding")(x, patch_grid=grid)
        x = keras.layers.Add(dtype=dtype, name="add_positions")([x, positions])
        x = keras.layers.Dropout(position_dropout, seed=offset_seed(seed, BLOCK_SEED_STRIDE * depth),
                                 dtype=dtype, name="position_dropout")(x)
        outputs = {}
        for i, rate in enumerate(np.linspace(0.0, drop_path_rate, depth).tolist()):
            x = TransformerBlock(
                intermediate_dim, num_heads, dropout=projection_dropout, attention_dropout=attention_dropout,
                intermediate_dropout=projection_dropout, activation="gelu", normalize_first=True,
                layer_norm_epsilon=LAYER_NORM_EPSILON, kernel_initializer=vit_dense_initializer(),
                layer_scale_init_value=layer_scale_init_value, drop_path_rate=rate,
                seed=offset_seed(seed, BLOCK_SEED_STRIDE * i), dtype=dtype, name=f"block{i + 1}",
            )(x)  # (B, 1 + h * w, C)
            if i + 1 in feature_blocks:
                outputs[f"block{i + 1}"] = TokenGrid(1, dtype=dtype, name=f"block{i + 1}_map")(x, grid)
        if global_pool == "token":
            x = keras.layers.LayerNormalization(epsilon=LAYER_NORM_EPSILON, dtype=dtype, name="norm")(x)
        outputs = {"tokens": x, **outputs}
        super().__init__(inputs=images, outputs=outputs, dtype=dtype, **kwargs)

        # === Config ===
        self.feature_key = "tokens"
        self.num_prefix_tokens = 1
        self.head_pooling = global_pool
        self.head_layer_group = depth + 1  # MAE's rule: final norm and head share the top group
        self.patch_size = patch_pair
        self.hidden_dim = hidden_dim
        self.depth = depth
        self.num_heads = num_heads
        self.mlp_ratio = mlp_ratio
        self.image_shape = input_shape
        self.position_grid = position_grid
        self.global_pool = global_pool
        self.layer_scale_init_value = layer_scale_init_value
        self.drop_path_rate = drop_path_rate
        self.attention_dropout = attention_dropout
        self.projection_dropout = projection_dropout
        self.position_dropout = position_dropout
        self.feature_blocks = feature_blocks
        self.seed = seed

    def layer_group_ids(self):
        """`{variable.path: group}` for layer-wise lr decay, BEiT / MAE's rule
        (`param_groups_lrd`): patch, class and position embeddings 0, block
        i (1-based) group i, the final norm depth + 1 with the head."""
        groups = {}
        for layer in self.layers:
            if layer.name.startswith("block") and layer.name[5:].isdigit():
                group = int(layer.name[5:])
            elif layer.name == "norm":
                group = self.depth + 1
            else:
                group = 0
            groups.update({variable.path: group for variable in layer.trainable_variables})
        return groups

    def get_config(self):
        return {
            **super().get_config(),
            "patch_size": self.patch_size,
            "hidden_dim": self.hidden_dim,
            "depth": self.depth,
            "num_heads": self.num_heads,
            "mlp_ratio": self.mlp_ratio,
            "input_shape": self.image_shape,
            "position_grid": self.position_grid,
            "global_pool": self.global_pool,
            "layer_scale_init_value": self.layer_scale_init_value,
            "drop_path_rate": self.drop_path_rate,
            "attention_dropout": self.attention_dropout,
            "projection_dropout": self.projection_dropout,
            "position_dropout": self.position_dropout,
            "feature_blocks": self.feature_blocks,
            "seed": self.seed,
        }
