"""tensorflow-datasets pipelines, with tfds.testing.mock_data: never the network."""

from unittest import mock

import pytest
import tensorflow_datasets as tfds

from keras_zoo.data import DatasetNotPreparedError
from keras_zoo.data import image_classification_data
from keras_zoo.recipes import load_recipe



@pytest.fixture
def no_network():
    """Any attempt to download fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("tried to download")

    with mock.patch.object(tfds.core.DatasetBuilder, "download_and_prepare", refuse):
        yield


def test_cifar10_pipeline_feeds_batches_with_the_paper_augmentation(no_network):
    recipe = load_recipe("cifar10_convnext")
    with tfds.testing.mock_data(num_examples=24), mock.patch.object(tfds.core.DatasetBuilder, "is_prepared", return_value=True):
        data = image_classification_data(recipe["data"], recipe["augment"], batch_size=8)
        images, labels = next(iter(data.train))
        val_images, val_labels = next(iter(data.validation))
    assert images.shape == (8, 32, 32, 3) and labels.shape == (8, 10)
    assert val_images.shape == (8, 32, 32, 3)
    assert data.steps_per_epoch == 3 and data.num_classes == 10 and data.input_shape == (32, 32, 3)
    assert abs(float(labels.numpy().sum()) - 8.0) < 1e-4  # mixed labels still sum to one
    assert (val_labels.numpy().max(axis=1) == 1.0).all()  # validation labels are not mixed


def test_missing_cifar10_says_how_to_prepare_it(tmp_path, no_network):
    recipe = load_recipe("cifar10_convnext", [f"data.data_dir={str(tmp_path)!r}"])
    with pytest.raises(DatasetNotPreparedError, match=rf"(?s)'cifar10' is not prepared in {tmp_path}.*tfds build cifar10 --data_dir {tmp_path}"):
        image_classification_data(recipe["data"], recipe["augment"], batch_size=8)


def test_missing_imagenet_asks_for_the_manual_download(tmp_path, no_network):
    recipe = load_recipe("convnext_tiny_imagenet1k", [f"data.data_dir={str(tmp_path)!r}"])
    with pytest.raises(DatasetNotPreparedError, match=r"(?s)ILSVRC2012_img_train.tar.*tfds build imagenet2012 --manual_dir"):
        image_classification_data(recipe["data"], recipe["augment"], batch_size=8)


def test_tiny_shakespeare_feeds_character_windows(no_network):
    from keras_zoo.training.tasks.language_modeling import build_language_model_data

    recipe = load_recipe("gpt_tiny_shakespeare", ["data.sequence_length=8", "train.batch_size=2"])
    with tfds.testing.mock_data(num_examples=1, policy=tfds.testing.MockPolicy.USE_CODE), \
            mock.patch.object(tfds.core.DatasetBuilder, "is_prepared", return_value=True):
        data = build_language_model_data(recipe)
    tokenizer, stream = data.tokenizer, data.corpus.splits["train"]
    assert tokenizer.vocabulary_size == len(tokenizer.alphabet) and len(stream) == data.corpus.characters["train"]
    inputs, targets = next(iter(data.train))
    assert inputs.shape == targets.shape == (2, 8)
    text = tokenizer.decode(stream)
    assert tokenizer.decode(inputs[0])[1:] == tokenizer.decode(targets[0])[:-1] and tokenizer.decode(inputs[0]) in text


def test_missing_tiny_shakespeare_says_how_to_prepare_it(tmp_path, no_network):
    from keras_zoo.training.tasks.language_modeling import build_language_model_data

    recipe = load_recipe("gpt_tiny_shakespeare", [f"data.data_dir={str(tmp_path)!r}"])
    with pytest.raises(DatasetNotPreparedError, match=rf"(?s)'tiny_shakespeare' is not prepared.*tfds build tiny_shakespeare"):
        build_language_model_data(recipe)
