"""Moved to `keras_zoo.utils.precision` (models use it too); this path keeps working."""

from keras_zoo.utils.precision import PRECISIONS  # noqa: F401
from keras_zoo.utils.precision import check_precision  # noqa: F401
from keras_zoo.utils.precision import loss_scaled  # noqa: F401
from keras_zoo.utils.precision import needs_loss_scaling  # noqa: F401
from keras_zoo.utils.precision import precision_scope  # noqa: F401
from keras_zoo.utils.precision import set_precision  # noqa: F401
