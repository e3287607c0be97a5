"""tensorflow-datasets pipelines, with tfds.testing.mock_data: never the network."""

from unittest import mock

import numpy as np
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


@pytest.mark.parametrize("recipe_name, dataset", [("glue_sst2_bert_base", "glue/sst2"), ("imdb_bert_base", "imdb_reviews")])
def test_text_datasets_feed_bert_rows_with_a_held_out_validation_slice(no_network, recipe_name, dataset):
    from keras_zoo.data.tfds_text_classification import TFDS_TEXT_DATASETS
    from keras_zoo.data.tfds_text_classification import tfds_texts
    from keras_zoo.training.tasks.text_classification import build_text_classification_data

    recipe = load_recipe(recipe_name, ["data.sequence_length=16", "data.vocabulary_size=200", "train.batch_size=4"])
    with tfds.testing.mock_data(num_examples=40), \
            mock.patch.object(tfds.core.DatasetBuilder, "is_prepared", return_value=True):
        texts, labels, num_classes = tfds_texts(dataset)
        data = build_text_classification_data(recipe)
    assert num_classes == data.num_classes == 2 and data.pretrained is None  # no checkpoint: from scratch
    _, splits = TFDS_TEXT_DATASETS[dataset]
    assert splits["validation"].startswith("train[") and not splits["test"].startswith("train")  # never chosen on test
    tokenizer = data.tokenizer
    for split in ("train", "validation", "test"):
        inputs, batch_labels = data.train[0] if split == "train" else getattr(data, split)[0]
        ids = inputs["token_ids"]
        assert ids.shape[1] == 16 and (ids[:, 0] == tokenizer.cls_token_id).all()
        assert ((ids == tokenizer.sep_token_id).sum(axis=1) == 1).all()  # one [SEP]: a text may be cut, never lost
        np.testing.assert_array_equal(inputs["padding_mask"], ids != tokenizer.pad_token_id)
        assert set(np.unique(batch_labels)) <= {0, 1}
    np.testing.assert_array_equal(data.labels["test"], labels["test"])
    first = texts["test"][0]  # the row is the text's pieces, cut after 14
    expected = tokenizer.encode(first)[1:-1][:14]
    np.testing.assert_array_equal(data.test[0][0]["token_ids"][0, 1 : len(expected) + 1], expected)


def test_missing_sst2_says_how_to_prepare_it(tmp_path, no_network):
    from keras_zoo.training.tasks.text_classification import build_text_classification_data

    recipe = load_recipe("glue_sst2_bert_base", [f"data.data_dir={str(tmp_path)!r}"])
    with pytest.raises(DatasetNotPreparedError, match=r"(?s)'glue/sst2' is not prepared.*tfds build glue/sst2"):
        build_text_classification_data(recipe)
