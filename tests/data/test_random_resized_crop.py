"""The ImageNet crops: RandomResizedCrop's boxes stay inside the paper's
(timm's) area and aspect-ratio ranges and cover them; the eval crop is the
deterministic center of the image resized to size / 0.875."""

from unittest import mock

import numpy as np
import tensorflow as tf

from keras_zoo.data import image_classification_data
from keras_zoo.data.random_resized_crop import CROP_AREA_RANGE
from keras_zoo.data.random_resized_crop import CROP_ASPECT_RATIO_RANGE
from keras_zoo.data.random_resized_crop import random_resized_crop
from keras_zoo.data.random_resized_crop import resize_and_center_crop
from keras_zoo.data.random_resized_crop import sample_crop_box
from keras_zoo.recipes import load_recipe

HEIGHT, WIDTH = 120, 160


def _boxes(count):
    shape = tf.constant((HEIGHT, WIDTH, 3))
    seeds = tf.data.Dataset.range(count).map(lambda i: sample_crop_box(shape, tf.stack([tf.constant(7, tf.int64), i])))
    offsets, sizes = next(iter(seeds.batch(count)))
    offsets, sizes = offsets.numpy(), sizes.numpy()
    assert (offsets >= 0).all() and (offsets[:, :2] + sizes[:, :2] <= (HEIGHT, WIDTH)).all()  # inside the image
    return sizes[:, :2]


def _timm_boxes(count):
    """The reference: timm's RandomResizedCropAndInterpolation, which the
    official ConvNeXt code trains with."""
    import random

    from timm.data import transforms as timm_transforms
    from PIL import Image

    random.seed(0)
    image = Image.new("RGB", (WIDTH, HEIGHT))
    params = [timm_transforms.RandomResizedCropAndInterpolation.get_params(image, CROP_AREA_RANGE, CROP_ASPECT_RATIO_RANGE)
              for _ in range(count)]
    return np.array([(h, w) for _, _, h, w in params])


def test_crop_boxes_are_drawn_as_timm_draws_them():
    boxes, reference = _boxes(400), _timm_boxes(400)
    areas, reference_areas = (b[:, 0] * b[:, 1] / (HEIGHT * WIDTH) for b in (boxes, reference))
    ratios = boxes[:, 1] / boxes[:, 0]  # width / height
    # Inside the ranges, up to the rounding of the box sides to whole pixels.
    assert areas.min() >= CROP_AREA_RANGE[0] - 2 / min(HEIGHT, WIDTH) and areas.max() <= 1.0
    assert ratios.min() >= CROP_ASPECT_RATIO_RANGE[0] * 0.97 and ratios.max() <= CROP_ASPECT_RATIO_RANGE[1] * 1.03
    assert areas.min() < 0.12 and areas.max() > 0.9 and ratios.min() < 0.8 and ratios.max() > 1.25
    # The same distribution as timm's: mean and spread of the area within
    # 4 standard errors (about 0.05 for 400 draws each), and of the log ratio.
    assert abs(areas.mean() - reference_areas.mean()) < 0.05
    assert abs(areas.std() - reference_areas.std()) < 0.05
    reference_log_ratios = np.log(reference[:, 1] / reference[:, 0])
    assert abs(np.log(ratios).mean() - reference_log_ratios.mean()) < 0.04
    assert len({tuple(b) for b in boxes}) > 200  # a fresh box per seed


def test_random_resized_crop_resizes_the_box_and_is_seeded():
    image = tf.random.stateless_uniform((HEIGHT, WIDTH, 3), seed=(1, 2))
    crop = random_resized_crop(image, 32, tf.constant((3, 4)))
    assert crop.shape == (32, 32, 3)
    assert 0.0 <= float(tf.reduce_min(crop)) and float(tf.reduce_max(crop)) <= 1.0
    np.testing.assert_array_equal(crop.numpy(), random_resized_crop(image, 32, tf.constant((3, 4))).numpy())
    assert not np.array_equal(crop.numpy(), random_resized_crop(image, 32, tf.constant((3, 5))).numpy())


def test_eval_crop_is_the_center_of_the_image_resized_to_size_over_0875():
    # A 256 x 320 image is already "resized" for size 224 (256 = 224 / 0.875):
    # the eval crop is exactly its center 224 x 224.
    image = tf.random.stateless_uniform((256, 320, 3), seed=(5, 6))
    crop = resize_and_center_crop(image, 224)
    assert crop.shape == (224, 224, 3)
    np.testing.assert_allclose(crop.numpy(), image.numpy()[16:240, 48:272], atol=1e-6)
    # Any other size: the shorter side becomes 36 for size 32 (int(32 / 0.875)), center crop.
    small = resize_and_center_crop(tf.random.stateless_uniform((72, 96, 3), seed=(5, 7)), 32)
    assert small.shape == (32, 32, 3)


def test_imagenet_style_pipeline_crops_train_and_validation_to_the_image_size():
    # A synthetic 4-image dataset of 120 x 160 photos stands in for imagenette.
    images = tf.cast(tf.random.stateless_uniform((4, HEIGHT, WIDTH, 3), seed=(8, 9), maxval=256, dtype=tf.int32), tf.uint8)
    source = (tf.data.Dataset.from_tensor_slices((images, tf.range(4))), 4, 10)
    recipe = load_recipe("convnext_tiny_imagenet1k", ["data.dataset='imagenette'", "data.image_size=64",
                                                     "data.normalize='none'"])
    augment = {**recipe["augment"], "rand_augment_magnitude": 0, "random_erasing": 0.0, "horizontal_flip": False,
               "mixup_alpha": 0.0, "cutmix_alpha": 0.0}
    with mock.patch("keras_zoo.data.image_pipeline._source", return_value=source):
        data = image_classification_data(recipe["data"], augment, batch_size=4)
        epochs = [next(iter(data.train))[0].numpy() for _ in range(2)]
        validation = next(iter(data.validation))[0].numpy()
    assert epochs[0].shape == (4, 64, 64, 3) and validation.shape == (4, 64, 64, 3)
    assert not np.allclose(np.sort(epochs[0].sum(axis=(1, 2, 3))), np.sort(epochs[1].sum(axis=(1, 2, 3))))  # new crops each epoch
    expected = resize_and_center_crop(tf.image.convert_image_dtype(images[0], tf.float32), 64).numpy()
    np.testing.assert_allclose(validation[0], expected, atol=1e-6)  # validation: the center crop
