"""Model families. Importing this package registers every variant."""

from keras_zoo.models import convnext  # noqa: F401
from keras_zoo.models import transformer  # noqa: F401
from keras_zoo.models import gan  # noqa: F401
