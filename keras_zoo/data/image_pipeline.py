"""tf.data pipelines for image classification that feed `fit` on every
backend (tensorflow is the data engine; it is imported only here, lazily).

Train: resize (ImageNet-style datasets: RandomResizedCrop), shuffle,
optionally repeated augmentation (repeated_augmentation.py), per-image
augmentation, batch, MixUp/CutMix, one-hot labels.
Validation: resize (ImageNet-style: shorter side to size / 0.875, center
crop), batch, one-hot labels. Images are float32 in [0, 1], then optionally
normalised with the ImageNet mean and std.
"""

import dataclasses
import math

from keras_zoo.data.augmentation import MixUpOrCutMix
from keras_zoo.data.augmentation import per_image_augmenter
from keras_zoo.data.random_resized_crop import random_resized_crop
from keras_zoo.data.random_resized_crop import resize_and_center_crop
from keras_zoo.data.repeated_augmentation import repeated_augmentation

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# Photos of whole scenes, trained with the official code's crops (random_resized_crop.py).
# CIFAR-10 at 32x32 is not: the official code skips the crop at 32 pixels and below.
RANDOM_RESIZED_CROP_DATASETS = ("imagenette", "imagenet2012")


@dataclasses.dataclass
class ImageClassificationData:
    train: object  # tf.data.Dataset of (images (B, S, S, C), one-hot labels (B, K))
    validation: object
    num_classes: int
    input_shape: tuple
    steps_per_epoch: int
    train_examples: int
    validation_examples: int


def image_classification_data(data, augment, batch_size, seed=0, num_replicas=1):
    """Builds the train and validation pipelines a recipe describes.

    Args:
        data: a recipe's [data] section (dataset, data_dir, image_size,
            channels, normalize, repeated_augmentation).
        augment: a recipe's [augment] section.
        batch_size: int, the global batch size.
        seed: int, seeds shuffling and every augmentation.
        num_replicas: int, the data-parallel replicas that split each
            batch; with repeated augmentation, copies of an image go to
            different replicas.
    """
    import tensorflow as tf

    train, num_train, num_classes = _source(data, "train")
    validation, num_validation, _ = _source(data, "validation")
    if num_train < batch_size:
        raise ValueError(
            f"train.batch_size={batch_size} is larger than the {num_train} training images of '{data['dataset']}'."
        )
    size, channels = data["image_size"], data["channels"]

    crops = data["dataset"] in RANDOM_RESIZED_CROP_DATASETS

    def to_float(image):  # (H, W, C) any dtype -> float32 in [0, 1]
        return tf.image.convert_image_dtype(image, tf.float32) if image.dtype == tf.uint8 else tf.cast(image, tf.float32)

    def prepare(image, label):  # -> (S, S, channels)
        image = to_float(image)
        image = resize_and_center_crop(image, size) if crops else tf.image.resize(image, (size, size), method="bilinear")
        return match_channels(image), label

    def prepare_with_crop(example, seed):  # seed: (2,) int64, fresh each epoch
        image, label = example
        return match_channels(random_resized_crop(to_float(image), size, seed)), label

    def match_channels(image):
        if image.shape[-1] == 1 and channels == 3:
            image = tf.image.grayscale_to_rgb(image)
        elif image.shape[-1] == 3 and channels == 1:
            image = tf.image.rgb_to_grayscale(image)
        return image

    normalize = _normalizer(data["normalize"], channels)

    def finish(images, labels):
        return normalize(images), tf.one_hot(labels, num_classes)

    augmenter = per_image_augmenter(augment, seed=seed)
    mixer = MixUpOrCutMix(
        augment["mixup_alpha"], augment["cutmix_alpha"], augment["mix_probability"], augment["switch_probability"], seed=seed
    )

    repeats = data["repeated_augmentation"]
    # One augmenter per copy, seeded apart (per_image_augmenter's layers take
    # seed .. seed + 3): Keras' SeedGenerator is read, then advanced, so two
    # parallel map calls can draw one seed, and two copies of an image would
    # get one augmentation.
    copy_augmenters = [augmenter] + [per_image_augmenter(augment, seed=seed + 4 * copy) for copy in range(1, repeats)]

    def augment_copy(copy, example):  # copy: int64 in [0, repeats)
        image, label = example
        if augmenter is None:
            return image, label
        branches = [lambda copy_augmenter=a: copy_augmenter(image, training=True) for a in copy_augmenters]
        return tf.switch_case(tf.cast(copy, tf.int32), branches), label

    def crop_copy(copied, crop_seed):
        copy, example = copied
        return copy, prepare_with_crop(example, crop_seed)

    def with_crop_seeds(dataset):
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)
        return tf.data.Dataset.zip((dataset, seeds))

    autotune = tf.data.AUTOTUNE
    # Repeated, each copy gets its own crop (DeiT crops each sample): the crop moves after the repeat.
    crop_copies = crops and repeats > 1
    if crops and not crop_copies:
        train = with_crop_seeds(train).map(prepare_with_crop, num_parallel_calls=autotune)
    elif not crops:
        train = train.map(prepare, num_parallel_calls=autotune)
    if data["dataset"] == "digits":
        train = train.cache()  # small: keep the resized images
    train = train.shuffle(min(num_train, 10_000), seed=seed, reshuffle_each_iteration=True)
    if repeats > 1:
        # (copy, (image, label)), still num_train per epoch (DeiT, timm): steps_per_epoch is unchanged.
        train = repeated_augmentation(train, repeats, batch_size, num_replicas)
        if crop_copies:
            train = with_crop_seeds(train).map(crop_copy, num_parallel_calls=autotune)
        train = train.map(augment_copy, num_parallel_calls=autotune)
    elif augmenter is not None:
        train = train.map(lambda x, y: (augmenter(x, training=True), y), num_parallel_calls=autotune)
    train = train.batch(batch_size, drop_remainder=True).map(finish, num_parallel_calls=autotune)
    if mixer.enabled:
        train = train.enumerate().map(lambda i, batch: mixer(i, *batch), num_parallel_calls=autotune)
    train = train.prefetch(autotune)

    validation = validation.map(prepare, num_parallel_calls=autotune).batch(batch_size)
    validation = validation.map(finish, num_parallel_calls=autotune).cache().prefetch(autotune)
    return ImageClassificationData(
        train=train,
        validation=validation,
        num_classes=num_classes,
        input_shape=(size, size, channels),
        steps_per_epoch=num_train // batch_size,
        train_examples=num_train,
        validation_examples=num_validation,
    )


def _source(data, split):
    """`(dataset of (image, int label), num_examples, num_classes)` for one split."""
    import tensorflow as tf

    name = data["dataset"]
    if name == "digits":
        from keras_zoo.data.digits import NUM_CLASSES
        from keras_zoo.data.digits import load_digits

        images, labels = load_digits("train" if split == "train" else "test")
        return tf.data.Dataset.from_tensor_slices((images, labels)), len(labels), NUM_CLASSES

    from keras_zoo.data.tfds_datasets import TFDS_VALIDATION_SPLITS
    from keras_zoo.data.tfds_datasets import load_tfds_split

    tfds_split = "train" if split == "train" else TFDS_VALIDATION_SPLITS[name]
    return load_tfds_split(name, tfds_split, data["data_dir"] or None)


def _normalizer(kind, channels):
    import tensorflow as tf

    if kind == "none":
        return lambda images: images
    mean, std = IMAGENET_MEAN, IMAGENET_STD
    if channels == 1:
        mean, std = (sum(mean) / 3,), (math.sqrt(sum(s * s for s in std) / 3),)
    mean = tf.constant(mean, tf.float32)
    std = tf.constant(std, tf.float32)
    return lambda images: (images - mean) / std
