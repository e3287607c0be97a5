import numpy as np
import pytest

from keras_zoo.data import image_classification_data
from keras_zoo.recipes import load_recipe


def test_digits_pipeline_upsamples_and_one_hots():
    recipe = load_recipe("digits_convnext", ["train.batch_size=50"])
    data = image_classification_data(recipe["data"], recipe["augment"], batch_size=50)
    images, labels = next(iter(data.train))
    assert images.shape == (50, 32, 32, 1) and labels.shape == (50, 10)
    assert 0.0 <= float(np.min(images)) and float(np.max(images)) <= 1.0
    assert data.steps_per_epoch == 1433 // 50 and data.validation_examples == 364
    assert sum(int(y.shape[0]) for _, y in data.validation) == 364


def test_batch_larger_than_the_data_is_rejected():
    recipe = load_recipe("digits_convnext")
    with pytest.raises(ValueError, match="batch_size=5000 is larger than the 1433 training images"):
        image_classification_data(recipe["data"], recipe["augment"], batch_size=5000)
