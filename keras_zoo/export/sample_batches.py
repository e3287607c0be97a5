"""Sample batches to verify an export with, made from the model's own inputs.

Two batches of different sizes check the dynamic batch dimension; where the
model accepts any size along other axes (`None`, e.g. ConvNeXt built with
`input_shape=(None, None, 3)`, or token sequences), the two batches also use
two different sizes there. Inputs get values the model accepts: token ids
inside the vocabulary, segment ids inside the segment table, and padding
masks with a padded tail (so that the export is checked on padding too).
"""

import numpy as np
from keras import tree

# (batch, size of every other `None` axis) of the two verification batches.
_IMAGE_SIZES = ((2, 32), (1, 64))  # ConvNeXt's smallest input is 32x32
_SEQUENCE_SIZES = ((2, 7), (1, 12))
_PADDED_TAIL = 3  # the last row's padded positions


def default_samples(model, seed=0):
    """A list of two input structures (same nesting as `model.input`)."""
    rng = np.random.default_rng(seed)
    vocabulary_size, num_segments = _vocabulary_size(model), _num_segments(model)
    samples = []
    for index in range(2):

        def make(keras_tensor):
            dtype = str(keras_tensor.dtype)
            integer = "int" in dtype or dtype == "bool"
            sizes = _SEQUENCE_SIZES if integer or len(keras_tensor.shape) < 4 else _IMAGE_SIZES
            batch, free_size = sizes[index]
            shape = [batch] + [free_size if dim is None else dim for dim in keras_tensor.shape[1:]]
            if dtype == "bool":  # a padding mask: the last row's tail is padding
                mask = np.ones(shape, bool)
                mask[-1, -_PADDED_TAIL:] = False
                return mask
            if "segment" in keras_tensor.name:  # BERT's sentence A / B ids
                return rng.integers(0, num_segments, size=shape).astype(dtype)
            if integer:  # token ids, 0 (padding) excluded so every position counts
                return rng.integers(1, vocabulary_size, size=shape).astype(dtype)
            return rng.normal(size=shape).astype(dtype)

        samples.append(tree.map_structure(make, model.input))
    return samples


def _vocabulary_size(model):
    # Source and target may have their own vocabularies: stay inside both.
    config = model.get_config() if hasattr(model, "get_config") else {}
    config = config if isinstance(config, dict) else {}
    sizes = [config.get(key) for key in ("vocabulary_size", "target_vocabulary_size")]
    sizes.append(getattr(model, "vocabulary_size", None))  # a task model over a backbone
    return min([int(size) for size in sizes if size] or [16])


def _num_segments(model):
    return int(getattr(getattr(model, "backbone", model), "num_segments", 1))
