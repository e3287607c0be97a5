import math
from unittest import mock

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_zoo.data import image_classification_data
from keras_zoo.data.repeated_augmentation import repeated_augmentation
from keras_zoo.recipes import RecipeError
from keras_zoo.recipes import load_recipe

ORDER = np.random.default_rng(0).permutation(96)  # a shuffled stream of 96 image ids


def _stream(num_repeats, batch_size, num_replicas):
    """(copy indices, image ids) of one pass over the repeated ORDER."""
    dataset = repeated_augmentation(tf.data.Dataset.from_tensor_slices(ORDER), num_repeats, batch_size, num_replicas)
    copies, ids = zip(*dataset.as_numpy_iterator())
    return np.array(copies), np.array(ids)


def _rasampler(num_repeats, rank, num_replicas, length):
    # facebookresearch/deit samplers.py: indices repeated, then indices[rank::num_replicas].
    return np.repeat(ORDER, num_repeats)[:length][rank::num_replicas]


@pytest.mark.parametrize("num_replicas", [1, 4])
def test_each_image_appears_num_repeats_times_and_the_epoch_keeps_the_datasets_length(num_replicas):
    copies, ids = _stream(3, batch_size=24, num_replicas=num_replicas)
    assert len(ids) == len(ORDER)  # 96 samples: 32 images, 3 copies each
    images, counts = np.unique(ids, return_counts=True)
    assert set(images) == set(ORDER[:32]) and set(counts) == {3}
    for image in images:
        assert sorted(copies[ids == image]) == [0, 1, 2]


@pytest.mark.parametrize("num_repeats, num_replicas", [(2, 2), (3, 4), (3, 2)])
def test_copies_of_an_image_go_to_different_replicas_as_rasampler_sends_them(num_repeats, num_replicas):
    batch_size = 24
    _, ids = _stream(num_repeats, batch_size, num_replicas)
    # Keras' data-parallel distributions split each global batch into contiguous shards.
    shards = ids.reshape(-1, num_replicas, batch_size // num_replicas)  # (step, replica, row)
    most_in_one_shard = max(np.unique(shard, return_counts=True)[1].max() for step in shards for shard in step)
    assert most_in_one_shard == math.ceil(num_repeats / num_replicas)  # 1 whenever num_repeats <= num_replicas
    for rank in range(num_replicas):
        rasampler = _rasampler(num_repeats, rank, num_replicas, len(ids))
        np.testing.assert_array_equal(shards[:, rank].reshape(-1), rasampler)


def test_one_process_per_replica_shards_the_one_replica_stream_as_rasampler():
    # torchrun-style: every process builds the same stream, then keeps its own `shard`.
    dataset = repeated_augmentation(tf.data.Dataset.from_tensor_slices(ORDER), 3, batch_size=24, num_replicas=1)
    for rank in range(4):
        ids = np.array([image for _, image in dataset.shard(4, rank).as_numpy_iterator()])
        np.testing.assert_array_equal(ids, _rasampler(3, rank, 4, len(ORDER)))
        assert len(set(ids[:6])) == 6  # one global step (6 per process): no copy twice


def _digits(overrides, batch_size=60):
    keras.utils.set_random_seed(0)  # the shuffle's order depends on the global seed too
    recipe = load_recipe("digits_convnext", overrides)
    return image_classification_data(recipe["data"], recipe["augment"], batch_size=batch_size)


def _batches(data, count):
    return [(images.numpy().astype(np.float64), labels.numpy().argmax(-1)) for images, labels in data.train.take(count)]


def test_each_copy_is_augmented_on_its_own_through_the_pipeline():
    repeated = ["data.repeated_augmentation=3"]
    plain = _batches(_digits(repeated), 3)
    data = _digits(repeated + ["augment.random_translation=0.2"])
    augmented = _batches(data, 3)
    assert data.steps_per_epoch == 1433 // 60 and int(data.train.cardinality()) == 1433 // 60
    for (plain_images, labels), (images, augmented_labels) in zip(plain, augmented):
        np.testing.assert_array_equal(labels, augmented_labels)
        plain_images, images = plain_images.reshape(20, 3, -1), images.reshape(20, 3, -1)  # (image, copy, pixels)
        for plain_copies, copies in zip(plain_images, images):
            np.testing.assert_array_equal(plain_copies, plain_copies[[0, 0, 0]])  # one image, three times
            for i, j in ((0, 1), (0, 2), (1, 2)):
                assert not np.allclose(copies[i], copies[j]), "two copies of one image got the same augmentation"


def test_each_copy_of_a_photo_gets_its_own_crop_on_its_own_replica():
    # ImageNet-style datasets crop at random (RandomResizedCrop); photos of 16 sizes, label = photo id.
    photos = tf.data.Dataset.range(16).map(lambda i: (tf.cast(tf.random.stateless_uniform(
        tf.stack([40 + 4 * i, 70 - 2 * i, 3]), seed=tf.stack([i, 0]), maxval=256, dtype=tf.int64), tf.uint8), i))
    recipe = load_recipe("convnext_tiny_imagenet1k", ["data.dataset='imagenette'", "data.image_size=32",
                                                     "data.normalize='none'", "data.repeated_augmentation=3"])
    augment = {**recipe["augment"], "rand_augment_magnitude": 0, "random_erasing": 0.0, "horizontal_flip": False,
               "mixup_alpha": 0.0, "cutmix_alpha": 0.0}  # the crop alone
    with mock.patch("keras_zoo.data.image_pipeline._source", return_value=(photos, 16, 16)):
        data = image_classification_data(recipe["data"], augment, batch_size=8, num_replicas=4)
        batches = [(images.numpy(), labels.numpy().argmax(-1)) for images, labels in data.train]
    images, ids = (np.concatenate(parts) for parts in zip(*batches))
    assert len(ids) == 16 and all(len(set(shard)) == 2 for shard in ids.reshape(-1, 2))  # (step * replica, row)
    photo_ids, counts = np.unique(ids, return_counts=True)
    assert sorted(counts) == [1, 3, 3, 3, 3, 3]  # 16 samples: the epoch's length cuts the last photo's copies
    for photo in photo_ids[counts == 3]:
        copies = images[ids == photo]
        assert not any(np.allclose(copies[i], copies[j]) for i, j in ((0, 1), (0, 2), (1, 2))), "copies share a crop"


def test_off_by_default_and_the_pipeline_is_as_before():
    recipe = load_recipe("digits_convnext")
    assert recipe["data"]["repeated_augmentation"] == 1
    # Recorded from the pipeline before repeated augmentation existed: the
    # labels of the first batch and an order-sensitive checksum of two.
    expected = [("8575718799912002864773929315671922683167197566891162333605651991", 2590477.0),
                ("3029777509583725892655915881758446217838843536937588017407630325", 2515919.0)]
    data = _digits([], batch_size=64)
    for labels, checksum in expected:  # two epochs
        batches = _batches(data, 2)
        images = np.concatenate([images for images, _ in batches])
        assert "".join(map(str, batches[0][1])) == labels
        np.testing.assert_allclose(np.sum(images.sum(axis=(1, 2, 3)) * np.arange(1, 129)), checksum, rtol=1e-7)


def test_the_task_passes_the_replica_count():
    from keras_zoo.training.tasks.image_classification import build_classification_data

    recipe = load_recipe("digits_convnext", ["data.repeated_augmentation=3"])
    with mock.patch("keras_zoo.distribution.replica_count", return_value=4), \
            mock.patch("keras_zoo.data.image_pipeline.image_classification_data") as build:
        build_classification_data(recipe)
    assert build.call_args.kwargs["num_replicas"] == 4


@pytest.mark.parametrize("override, message", [
    ("data.repeated_augmentation=0", r"data.repeated_augmentation = 0 .* is impossible. Valid: an int >= 1"),
    ("data.repeated_augmentation=1.5", r"data.repeated_augmentation = 1.5 .* has type float; expected int"),
])
def test_bad_recipe_values_are_rejected(override, message):
    with pytest.raises(RecipeError, match=message):
        load_recipe("digits_convnext", [override])


@pytest.mark.parametrize("arguments, message", [
    ((0, 24, 1), r"num_repeats must be an int >= 1. Received: num_repeats=0"),
    ((3, 24, 0), r"num_replicas must be an int >= 1. Received: num_replicas=0"),
    ((3, 25, 2), r"batch_size must be a multiple of num_replicas.*Received: batch_size=25, num_replicas=2"),
])
def test_bad_arguments_are_rejected(arguments, message):
    with pytest.raises(ValueError, match=message):
        repeated_augmentation(tf.data.Dataset.from_tensor_slices(ORDER), *arguments)


def test_a_dataset_of_unknown_length_is_rejected():
    with pytest.raises(ValueError, match="must be known. Received: a dataset of cardinality -2"):
        repeated_augmentation(tf.data.Dataset.from_tensor_slices(ORDER).filter(lambda x: x > 3), 3, 24)
