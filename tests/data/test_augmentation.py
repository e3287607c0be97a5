"""Each augmentation's effect on a batch, run inside tf.data as in training."""

import numpy as np
import tensorflow as tf

from keras_zoo.data.augmentation import MixUpOrCutMix
from keras_zoo.data.augmentation import per_image_augmenter
from keras_zoo.recipes.schema import defaults


BATCH, SIDE = 16, 32


def _constant_batch():
    """Image i is filled with the value i + 1; its label is one-hot class i."""
    images = np.broadcast_to(np.arange(1, BATCH + 1, dtype="float32")[:, None, None, None], (BATCH, SIDE, SIDE, 3))
    return images.copy(), np.eye(BATCH, dtype="float32")


def _mix(mixer, batches=4):
    images, labels = _constant_batch()
    dataset = tf.data.Dataset.from_tensors((images, labels)).repeat(batches).enumerate()
    dataset = dataset.map(lambda i, batch: mixer(i, *batch))
    return [(x.numpy(), y.numpy()) for x, y in dataset]


def test_mixup_mixes_pixels_and_labels_in_the_same_proportion():
    for images, labels in _mix(MixUpOrCutMix(mixup_alpha=0.8, cutmix_alpha=0.0)):
        np.testing.assert_allclose(labels.sum(axis=1), 1.0, rtol=1e-5)
        # A constant image mixed from classes a, b with weights w_a, w_b has value w_a (a+1) + w_b (b+1).
        expected = labels @ np.arange(1, BATCH + 1, dtype="float32")
        np.testing.assert_allclose(images[:, 0, 0, 0], expected, rtol=1e-4)
        np.testing.assert_allclose(images.std(axis=(1, 2, 3)), 0.0, atol=1e-4)  # still constant
    assert any(labels.max() < 0.99 for _, labels in _mix(MixUpOrCutMix(mixup_alpha=0.8, cutmix_alpha=0.0)))


def test_cutmix_labels_are_the_pixel_shares():
    mixed_any = False
    for images, labels in _mix(MixUpOrCutMix(mixup_alpha=0.0, cutmix_alpha=1.0)):
        np.testing.assert_allclose(labels.sum(axis=1), 1.0, rtol=1e-5)
        for i in range(BATCH):
            values = images[i, :, :, 0].round().astype(int) - 1  # the class each pixel came from
            share = np.bincount(values.ravel(), minlength=BATCH) / SIDE**2
            # The box corners are real numbers; the mask counts whole pixels,
            # so each side can differ by under one pixel row/column.
            np.testing.assert_allclose(share, labels[i], atol=(2 * SIDE + 1) / SIDE**2)
            mixed_any |= labels[i].max() < 0.99
    assert mixed_any


def test_mix_probability_zero_leaves_batches_alone():
    for images, labels in _mix(MixUpOrCutMix(mixup_alpha=0.8, cutmix_alpha=1.0, mix_probability=0.0)):
        np.testing.assert_array_equal(labels, np.eye(BATCH))
        np.testing.assert_array_equal(images, _constant_batch()[0])


def test_switch_picks_both_kinds():
    kinds = set()
    for images, labels in _mix(MixUpOrCutMix(mixup_alpha=0.8, cutmix_alpha=1.0), batches=12):
        constant = np.allclose(images.std(axis=(1, 2, 3)), 0.0, atol=1e-4)
        kinds.add("mixup" if constant else "cutmix")
    assert kinds == {"mixup", "cutmix"}


def _augment(**settings):
    augment = {**defaults()["augment"], **settings}
    pipeline = per_image_augmenter(augment, seed=3)
    image = np.random.RandomState(0).uniform(size=(SIDE, SIDE, 3)).astype("float32")
    dataset = tf.data.Dataset.from_tensors(image).repeat(8).map(lambda x: pipeline(x, training=True))
    return image, [x.numpy() for x in dataset]


def test_rand_augment_m9_changes_images_within_range():
    image, outputs = _augment(rand_augment_magnitude=9)
    assert all(out.shape == image.shape for out in outputs)
    assert sum(not np.allclose(out, image) for out in outputs) >= 6
    assert all(out.min() >= -1e-5 and out.max() <= 1 + 1e-5 for out in outputs)


def test_random_erasing_erases_a_patch_with_its_probability():
    image, outputs = _augment(random_erasing=1.0)
    for out in outputs:
        changed = ~np.isclose(out, image).all(axis=-1)
        assert 0 < changed.mean() < 0.5  # one rectangle, not the whole image
    image, outputs = _augment(random_erasing=0.0, horizontal_flip=True)
    assert all(np.allclose(out, image) or np.allclose(out, image[:, ::-1]) for out in outputs)


def test_no_augmentation_configured_gives_none():
    assert per_image_augmenter(defaults()["augment"]) is None
