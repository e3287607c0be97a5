"""The ImageNet crops, as tf.data map functions (Keras core has no
RandomResizedCrop layer; tf.data is the input engine on every backend).

Train: RandomResizedCrop ("Inception-style" crop, Szegedy et al. 2015), the
default of timm's `create_transform` that the official ConvNeXt code trains
with: a box of 8%-100% of the image area and aspect ratio 3/4-4/3, resized
to `size` x `size` (bicubic, `--train_interpolation bicubic`).
Eval: resize the shorter side to `size / 0.875`, center crop (the official
`datasets.py`, crop_pct 224/256); from 384 up, resize without cropping
(crop ratio 1.0, Liu et al. 2022, Appendix A.2).
"""

import math

CROP_AREA_RANGE = (0.08, 1.0)  # timm / torchvision RandomResizedCrop `scale`
CROP_ASPECT_RATIO_RANGE = (3.0 / 4.0, 4.0 / 3.0)  # width / height
EVAL_CROP_FRACTION = 0.875  # 224 / 256
EVAL_NO_CROP_FROM = 384


def sample_crop_box(image_shape, seed, area_range=CROP_AREA_RANGE, aspect_ratio_range=CROP_ASPECT_RATIO_RANGE):
    """`(offset, size)`, `[y, x, 0]` and `[height, width, -1]` int32: a box
    drawn as timm's `RandomResizedCropAndInterpolation.get_params` draws it
    (TF's `sample_distorted_bounding_box` draws smaller boxes): up to 10 tries
    of an area uniform in `area_range` and an aspect ratio log-uniform in
    `aspect_ratio_range`, the first box that fits placed uniformly; if none
    fits, the center crop of the image with its ratio clamped to the range.

    Args:
        image_shape: `(H, W, C)` tensor.
        seed: shape `(2,)` int tensor (stateless: the same seed, the same box).
    """
    import tensorflow as tf

    attempts = 10
    height, width = tf.cast(image_shape[0], tf.float32), tf.cast(image_shape[1], tf.float32)
    draws = tf.random.stateless_uniform((4, attempts), seed=seed)
    area = height * width * (area_range[0] + (area_range[1] - area_range[0]) * draws[0])
    low, high = math.log(aspect_ratio_range[0]), math.log(aspect_ratio_range[1])
    ratio = tf.exp(low + (high - low) * draws[1])  # width / height
    box_width, box_height = tf.round(tf.sqrt(area * ratio)), tf.round(tf.sqrt(area / ratio))
    fits = (box_width <= width) & (box_height <= height)
    first = tf.argmax(tf.cast(fits, tf.int32))
    # Uniform integer offsets in [0, H - h] and [0, W - w].
    top = tf.floor(draws[2][first] * (height - box_height[first] + 1))
    left = tf.floor(draws[3][first] * (width - box_width[first] + 1))

    image_ratio = width / height
    fallback_width = tf.where(image_ratio > aspect_ratio_range[1], tf.round(height * aspect_ratio_range[1]), width)
    fallback_height = tf.where(image_ratio < aspect_ratio_range[0], tf.round(width / aspect_ratio_range[0]), height)
    found = tf.reduce_any(fits)
    box_height = tf.where(found, box_height[first], fallback_height)
    box_width = tf.where(found, box_width[first], fallback_width)
    top = tf.where(found, top, tf.floor((height - fallback_height) / 2))
    left = tf.where(found, left, tf.floor((width - fallback_width) / 2))
    offset = tf.cast(tf.stack([top, left, 0.0]), tf.int32)
    size = tf.concat([tf.cast(tf.stack([box_height, box_width]), tf.int32), [-1]], axis=0)
    return offset, size


def random_resized_crop(image, size, seed):
    """`(H, W, C)` float image in [0, 1] -> a random crop resized to `(size, size, C)`."""
    import tensorflow as tf

    offset, box = sample_crop_box(tf.shape(image), seed)
    crop = tf.slice(image, offset, box)
    crop.set_shape((None, None, image.shape[-1]))  # the slice loses the channel count
    return tf.clip_by_value(tf.image.resize(crop, (size, size), method="bicubic"), 0.0, 1.0)


def resize_and_center_crop(image, size):
    """`(H, W, C)` float image in [0, 1] -> `(size, size, C)`: the shorter
    side resized to `size / 0.875`, then the center `size` x `size`."""
    import tensorflow as tf

    if size >= EVAL_NO_CROP_FROM:
        return tf.clip_by_value(tf.image.resize(image, (size, size), method="bicubic"), 0.0, 1.0)
    shorter = int(size / EVAL_CROP_FRACTION)  # 256 for 224, as the official `int(224 / (224 / 256))`
    height, width = tf.shape(image)[0], tf.shape(image)[1]
    scale = shorter / tf.cast(tf.minimum(height, width), tf.float32)
    new_height = tf.maximum(size, tf.cast(tf.round(tf.cast(height, tf.float32) * scale), tf.int32))
    new_width = tf.maximum(size, tf.cast(tf.round(tf.cast(width, tf.float32) * scale), tf.int32))
    image = tf.image.resize(image, (new_height, new_width), method="bicubic")
    top, left = (new_height - size) // 2, (new_width - size) // 2
    return tf.clip_by_value(image[top : top + size, left : left + size], 0.0, 1.0)

