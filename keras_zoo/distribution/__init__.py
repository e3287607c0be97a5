"""Distribution on every backend: `distribution_scope` and `train.distribution`
(see distribution_strategy), plus one module per backend's own mechanism."""

from keras_zoo.distribution.distribution_strategy import DISTRIBUTIONS
from keras_zoo.distribution.distribution_strategy import distribution_scope
from keras_zoo.distribution.distribution_strategy import prepare_compiled_model
from keras_zoo.distribution.distribution_strategy import replica_count
from keras_zoo.distribution.distribution_strategy import visible_device_count
from keras_zoo.registry import model_parallel_layout  # a model's layout map, for distribution_scope

# The per-backend modules are public too, imported by name because each imports
# its framework: `from keras_zoo.distribution import torch_ddp` (or tf_strategy,
# jax_distribution). A star import would import all three frameworks.
__all__ = [
    "DISTRIBUTIONS",
    "distribution_scope",
    "jax_distribution",
    "model_parallel_layout",
    "prepare_compiled_model",
    "replica_count",
    "tf_strategy",
    "torch_ddp",
    "visible_device_count",
]
