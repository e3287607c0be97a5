"""Moved to `keras_zoo.training.tasks.translation` (one file per task);
this old import path keeps working."""

from keras_zoo.training.tasks.translation import TranslationData  # noqa: F401
from keras_zoo.training.tasks.translation import build_translation_data  # noqa: F401
from keras_zoo.training.tasks.translation import build_translation_loss  # noqa: F401
from keras_zoo.training.tasks.translation import build_translation_metrics  # noqa: F401
from keras_zoo.training.tasks.translation import build_translation_model  # noqa: F401
from keras_zoo.training.tasks.translation import build_translation_optimizer  # noqa: F401
from keras_zoo.training.tasks.translation import compile_translation_model  # noqa: F401
from keras_zoo.training.tasks.translation import corpus_bleu  # noqa: F401
from keras_zoo.training.tasks.translation import exact_match  # noqa: F401
from keras_zoo.training.tasks.translation import translate  # noqa: F401
from keras_zoo.training.tasks.translation import translation_headline  # noqa: F401
from keras_zoo.training.tasks.translation import translation_results  # noqa: F401
