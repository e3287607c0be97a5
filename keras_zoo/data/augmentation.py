"""Training-time augmentation inside the tf.data pipeline, built from Keras
core's preprocessing layers (safe in tf.data on every backend; keras-cv's
layers fail inside JAX models and keras-cv is frozen).

The paper's settings (Liu et al. 2022, Table 5, after DeiT / timm): RandAugment
m9 with 2 ops, Random Erasing 0.25, MixUp alpha 0.8, CutMix alpha 1.0, one of
the two per batch (switch probability 0.5).
"""

import keras

# timm's RandAugment magnitudes go up to 10 (`_LEVEL_DENOM`); Keras' factor is in [0, 1].
RAND_AUGMENT_MAX_MAGNITUDE = 10


def per_image_augmenter(augment, value_range=(0.0, 1.0), seed=0):
    """A `keras.layers.Pipeline` of the per-image augmentations that
    `augment` (a recipe's [augment] section) switches on, or None."""
    layers = []
    if augment["horizontal_flip"]:
        layers.append(keras.layers.RandomFlip("horizontal", seed=seed))
    if augment["random_translation"] > 0:
        shift = augment["random_translation"]
        layers.append(keras.layers.RandomTranslation(shift, shift, fill_mode="constant", seed=seed + 1))
    if augment["rand_augment_magnitude"] > 0:
        layers.append(
            keras.layers.RandAugment(
                value_range=value_range,
                num_ops=augment["rand_augment_ops"],
                factor=augment["rand_augment_magnitude"] / RAND_AUGMENT_MAX_MAGNITUDE,
                seed=seed + 2,
            )
        )
    if augment["random_erasing"] > 0:
        # A fixed probability: Keras samples it in [0, factor] unless given a range.
        probability = augment["random_erasing"]
        layers.append(
            keras.layers.RandomErasing(factor=(probability, probability), value_range=value_range, seed=seed + 3)
        )
    return keras.layers.Pipeline(layers) if layers else None


class MixUpOrCutMix:
    """Per batch: with `mix_probability`, CutMix (with `switch_probability`)
    or else MixUp; labels are one-hot and come out mixed in the same
    proportion as the pixels. Call inside `tf.data` on batched
    `(images, one_hot_labels)`.

    Args:
        mixup_alpha: Beta(alpha, alpha) of MixUp's weight; 0 disables MixUp.
        cutmix_alpha: Beta(alpha, alpha) of CutMix's area; 0 disables CutMix.
        mix_probability: chance that a batch is mixed at all.
        switch_probability: chance of CutMix when both are enabled.
        seed: int.
    """

    def __init__(self, mixup_alpha=0.8, cutmix_alpha=1.0, mix_probability=1.0, switch_probability=0.5, seed=0):
        if mixup_alpha < 0 or cutmix_alpha < 0:
            raise ValueError(
                f"Alphas must be >= 0. Received: mixup_alpha={mixup_alpha}, cutmix_alpha={cutmix_alpha}"
            )
        self.mixup = keras.layers.MixUp(alpha=mixup_alpha, seed=seed) if mixup_alpha > 0 else None
        # Keras samples CutMix's alpha in [0, factor] unless given a range.
        self.cutmix = keras.layers.CutMix(factor=(cutmix_alpha, cutmix_alpha), seed=seed + 1) if cutmix_alpha > 0 else None
        self.mix_probability = mix_probability
        self.switch_probability = switch_probability if self.mixup and self.cutmix else float(self.cutmix is not None)
        self.seed = seed

    @property
    def enabled(self):
        return self.mixup is not None or self.cutmix is not None

    def __call__(self, batch_index, images, labels):
        import tensorflow as tf

        # Stateless draws keyed by the batch index: reproducible and seeded.
        draws = tf.random.stateless_uniform((2,), seed=tf.stack([tf.cast(batch_index, tf.int32), self.seed]))
        identity = lambda: {"images": images, "labels": labels}  # noqa: E731
        mixup = (lambda: self.mixup({"images": images, "labels": labels})) if self.mixup else identity
        cutmix = (lambda: self.cutmix({"images": images, "labels": labels})) if self.cutmix else identity
        mixed = tf.cond(
            draws[0] < self.mix_probability,
            lambda: tf.cond(draws[1] < self.switch_probability, cutmix, mixup),
            identity,
        )
        return tf.cast(mixed["images"], images.dtype), tf.cast(mixed["labels"], labels.dtype)
