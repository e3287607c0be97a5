"""Datasets: carried in the package, or loaded through tensorflow-datasets."""

from keras_zoo.data import number_translation  # the numbers task: encode, decode, word lists
from keras_zoo.data.byte_pair_tokenizer import BytePairTokenizer
from keras_zoo.data.digits import load_digits
from keras_zoo.data.gan_images import digits_gan_images
from keras_zoo.data.image_pipeline import image_classification_data
from keras_zoo.data.language_corpus import next_token_windows
from keras_zoo.data.language_corpus import pydoc_corpus
from keras_zoo.data.language_corpus import tiny_shakespeare_corpus
from keras_zoo.data.tfds_datasets import DatasetNotPreparedError
from keras_zoo.data.token_files import RandomWindows
from keras_zoo.data.token_files import read_token_file
from keras_zoo.data.token_files import write_token_file
from keras_zoo.data.wordpiece_tokenizer import WordPieceTokenizer

__all__ = [
    "BytePairTokenizer",
    "DatasetNotPreparedError",
    "digits_gan_images",
    "image_classification_data",
    "load_digits",
    "next_token_windows",
    "number_translation",
    "pydoc_corpus",
    "RandomWindows",
    "read_token_file",
    "tiny_shakespeare_corpus",
    "WordPieceTokenizer",
    "write_token_file",
]
