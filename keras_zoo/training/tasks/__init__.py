"""The recipe tasks, one file each; importing a task's file registers it."""

from keras_zoo.training.tasks.task import TASKS
from keras_zoo.training.tasks.task import Task
from keras_zoo.training.tasks.task import get_task
from keras_zoo.training.tasks.task import register_task

from keras_zoo.training.tasks import image_classification  # noqa: E402,F401  isort: skip
from keras_zoo.training.tasks import translation  # noqa: E402,F401  isort: skip
from keras_zoo.training.tasks import gan  # noqa: E402,F401  isort: skip
from keras_zoo.training.tasks import language_modeling  # noqa: E402,F401  isort: skip
from keras_zoo.training.tasks import masked_language_modeling  # noqa: E402,F401  isort: skip
from keras_zoo.training.tasks import text_classification  # noqa: E402,F401  isort: skip

__all__ = ["TASKS", "Task", "get_task", "register_task"]
