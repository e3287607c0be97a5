"""Confidence, coverage, pooling back to 8x8, and the judge classifier."""

import numpy as np

from keras_zoo.data.digits import load_digits
from keras_zoo.data.gan_images import digits_gan_images
from keras_zoo.evaluation.digit_sample_quality import class_coverage
from keras_zoo.evaluation.digit_sample_quality import class_histogram
from keras_zoo.evaluation.digit_sample_quality import confident_fraction
from keras_zoo.evaluation.digit_sample_quality import digit_sample_quality
from keras_zoo.evaluation.digit_sample_quality import to_digit_images
from keras_zoo.evaluation.digits_classifier import train_digits_classifier


def _one_hot_like(classes, confidence):
    probabilities = np.full((len(classes), 10), (1 - confidence) / 9)
    probabilities[np.arange(len(classes)), classes] = confidence
    return probabilities


def test_confidence_and_coverage():
    # 300 confident samples of classes 0-2, 3 of class 3 (1%), 100 unsure of class 9.
    classes = np.array([0, 1, 2] * 100 + [3] * 3)
    probabilities = np.concatenate([_one_hot_like(classes, 0.95), _one_hot_like(np.full(100, 9), 0.5)])
    np.testing.assert_allclose(confident_fraction(probabilities), 303 / 403)
    assert class_histogram(probabilities).tolist() == [100, 100, 100, 3, 0, 0, 0, 0, 0, 0]
    assert class_coverage(probabilities) == 3  # class 3 holds 3/303 < 1%
    assert class_coverage(probabilities, min_share=0.005) == 4
    assert class_coverage(_one_hot_like(np.arange(10), 0.5)) == 0


def test_pooling_undoes_training_upsampling():
    originals, _ = load_digits("train")
    for size in (8, 16):
        np.testing.assert_allclose(to_digit_images(digits_gan_images("train", size)), originals, atol=1e-6)


def test_classifier_recognises_real_digits_and_their_figures():
    classifier, accuracy = train_digits_classifier(epochs=15)
    assert accuracy > 0.9
    real, _ = load_digits("train")
    figures = digit_sample_quality(real[:500] * 2.0 - 1.0, classifier)
    assert figures["class_coverage"] == 10
    assert figures["confident_fraction"] > 0.8
    noise = np.random.default_rng(0).uniform(-1, 1, size=(500, 8, 8, 1)).astype("float32")
    assert digit_sample_quality(noise, classifier)["frechet_distance"] > 5 * figures["frechet_distance"]
