"""Model families, and the task models they share. Importing this package
registers every variant and every model class `.keras` files name."""

from keras_zoo.models.backbone import Backbone
from keras_zoo.models.causal_lm import CausalLM
from keras_zoo.models.image_classifier import ImageClassifier
from keras_zoo.models.masked_lm import MaskedLM
from keras_zoo.models.next_sentence_masked_lm import NextSentenceMaskedLM
from keras_zoo.models.seq2seq_lm import Seq2SeqLM
from keras_zoo.models.text_classifier import TextClassifier

from keras_zoo.models import convnext  # noqa: F401
from keras_zoo.models import transformer  # noqa: F401
from keras_zoo.models import gan  # noqa: F401
from keras_zoo.models import vit  # noqa: F401
from keras_zoo.models import gpt  # noqa: F401
from keras_zoo.models import bert  # noqa: F401
from keras_zoo.models import repvgg  # noqa: F401

__all__ = ["Backbone", "CausalLM", "ImageClassifier", "MaskedLM", "NextSentenceMaskedLM", "Seq2SeqLM", "TextClassifier"]
