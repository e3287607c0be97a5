"""Quality of generated digits, judged by a digits classifier: how many are
recognised confidently, how many of the 10 classes they cover, and how far
their features lie from real held-out digits (Fréchet distance)."""

import numpy as np

from keras_zoo.data.digits import NUM_CLASSES
from keras_zoo.data.digits import load_digits
from keras_zoo.evaluation.digits_classifier import features_model
from keras_zoo.evaluation.frechet_distance import frechet_distance

CONFIDENCE = 0.9
# A class counts as covered when at least this share of the confident samples
# falls in it: a tenth of the 10% that an even spread gives.
MIN_CLASS_SHARE = 0.01


def confident_fraction(probabilities, threshold=CONFIDENCE):
    """Share of samples whose top class probability is >= `threshold`."""
    return float(np.mean(np.max(probabilities, axis=1) >= threshold))


def class_histogram(probabilities, threshold=CONFIDENCE):
    """Counts of confidently classified samples per class, `(10,)`."""
    confident = np.max(probabilities, axis=1) >= threshold
    return np.bincount(np.argmax(probabilities[confident], axis=1), minlength=NUM_CLASSES)


def class_coverage(probabilities, threshold=CONFIDENCE, min_share=MIN_CLASS_SHARE):
    """Number of classes (0..10) holding at least `min_share` of the
    confidently classified samples."""
    counts = class_histogram(probabilities, threshold)
    if counts.sum() == 0:
        return 0
    return int(np.sum(counts / counts.sum() >= min_share))


def to_digit_images(images):
    """Generator output `(N, 8k, 8k, 1)` in [-1, 1] -> `(N, 8, 8, 1)` in
    [0, 1], by average pooling (the inverse of the upsampling of training)."""
    images = np.asarray(images, np.float32)
    factor = images.shape[1] // 8
    n = images.shape[0]
    pooled = images.reshape(n, 8, factor, 8, factor, images.shape[-1]).mean(axis=(2, 4))
    return np.clip((pooled + 1.0) / 2.0, 0.0, 1.0)


def digit_sample_quality(generated, classifier):
    """Figures for generated digits `(N, 8k, 8k, 1)` in [-1, 1]."""
    digits = to_digit_images(generated)
    probabilities = np.asarray(classifier.predict(digits, verbose=0))
    features = features_model(classifier)
    real, _ = load_digits("test")
    fake_features = np.asarray(features.predict(digits, verbose=0))
    real_features = np.asarray(features.predict(real, verbose=0))
    return {
        "confident_fraction": confident_fraction(probabilities),
        "class_coverage": class_coverage(probabilities),
        "class_histogram": class_histogram(probabilities).tolist(),
        "frechet_distance": frechet_distance(fake_features, real_features),
    }


def reference_frechet_distances(classifier, seed=0):
    """The Fréchet distance of real train digits (a floor: what a perfect
    generator would score) and of uniform noise (a ceiling) to the held-out
    digits, in the same feature space."""
    features = features_model(classifier)
    real_test = np.asarray(features.predict(load_digits("test")[0], verbose=0))
    real_train = np.asarray(features.predict(load_digits("train")[0], verbose=0))
    noise = np.random.default_rng(seed).uniform(size=(len(real_train), 8, 8, 1)).astype("float32")
    noise_features = np.asarray(features.predict(noise, verbose=0))
    return {
        "real_train": frechet_distance(real_train, real_test),
        "uniform_noise": frechet_distance(noise_features, real_test),
    }
