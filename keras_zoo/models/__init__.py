"""Model families. Importing this package registers every variant."""

from keras_zoo.models import convnext  # noqa: F401
