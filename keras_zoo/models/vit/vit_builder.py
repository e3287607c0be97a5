import functools

from keras_zoo.models.image_classifier import ImageClassifier
from keras_zoo.models.vit.vit_backbone import ViTBackbone
from keras_zoo.models.vit.vit_classifier import ViT
from keras_zoo.models.vit.vit_variants import VIT_VARIANTS
from keras_zoo.models.vit.vit_weights import load_vit_weights
from keras_zoo.registry import register_model
from keras_zoo.utils.arguments import keyword_arguments

_ARCHITECTURE = ("patch_size", "hidden_dim", "depth", "num_heads", "mlp_ratio")
# timm's `features_only` default for ViT: the last three blocks (out_indices=3).
_DEFAULT_FEATURE_BLOCKS = 3


def build_vit(variant, weights=None, features_only=False, **overrides):
    """Builds a registered ViT / DeiT variant.

    Args:
        variant: a key of `VIT_VARIANTS`, e.g. "vit_base_patch16_224".
        weights: optional path to a `.weights.h5` / `.keras` file of ours, or
            a PyTorch checkpoint (`.pth`, `.bin`, `.safetensors`) in timm's or
            Hugging Face's layout; a position table stored for another image
            size is resampled to the model's.
        features_only: return the `ViTBackbone` with the token maps of
            `feature_blocks` (default the last three blocks, as timm).
        **overrides: `ViT` arguments (`num_classes`, `input_shape`, ...);
            `input_shape=(None, None, 3)` interpolates the position
            embedding at run time to each image size.
    """
    config = dict(VIT_VARIANTS[variant])
    image_size = config.pop("image_size")
    config.update(overrides)
    config.setdefault("input_shape", (image_size, image_size, 3))
    if None in tuple(config["input_shape"])[:2] and config.get("position_grid") is None:
        patch = config["patch_size"]
        config["position_grid"] = image_size // patch  # the table of the variant's checkpoints
    if features_only:
        depth = config["depth"]
        config.setdefault("feature_blocks", tuple(range(max(1, depth - _DEFAULT_FEATURE_BLOCKS + 1), depth + 1)))
        unknown = sorted(set(config) - set(_BACKBONE_ARGS))
        if unknown:
            raise ValueError(f"With features_only=True, valid overrides are {_BACKBONE_ARGS}. Received: {unknown}")
        model = ViTBackbone(**{"name": variant, **config})
    else:
        model = ViT(**{"name": variant, **config})
    if weights is not None:
        load_vit_weights(model, weights)
    return model


_BACKBONE_ARGS = keyword_arguments(ViTBackbone.__init__)
_ARGUMENTS = keyword_arguments(
    build_vit, ViT.__init__, ImageClassifier.__init__, ViTBackbone.__init__, exclude=("variant", "backbone"))
for _name in VIT_VARIANTS:
    register_model(_name, functools.partial(build_vit, _name), _ARGUMENTS,
                   model_parallel_layout=ViTBackbone.model_parallel_layout)
