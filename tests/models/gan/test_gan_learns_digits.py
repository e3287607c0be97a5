"""A GAN learns: a short DCGAN run on the package's UCI digits brings its
samples' Fréchet distance to the held-out digits (the `gan` task's judge:
a digits classifier's feature space) well below the untrained generator's."""

import keras

import keras_zoo
from keras_zoo.data.gan_images import digits_gan_images
from keras_zoo.evaluation.digit_sample_quality import digit_sample_quality
from keras_zoo.evaluation.digits_classifier import train_digits_classifier
from keras_zoo.training.tasks.gan import generate

NUM_SAMPLES = 500
# Of the three variants DCGAN learns fastest per CPU second. With its paper's
# optimizer (the default) and these sizes, 132 steps brought the distance to
# 0.19-0.35 of the untrained generator's (6 seeds on each backend; untrained
# ~290-370, trained 59-121): half is a clear bar.
MAX_RATIO = 0.5


def _frechet_distance(generator, classifier):
    samples = generate(generator, NUM_SAMPLES, seed=0)  # as the gan task measures a run
    return digit_sample_quality(samples, classifier)["frechet_distance"]


def test_dcgan_brings_its_samples_closer_to_the_digits():
    classifier, _ = train_digits_classifier(epochs=15, seed=0)  # the judge of tests/evaluation (cached)
    keras.utils.set_random_seed(0)
    model = keras_zoo.create_model("dcgan", image_shape=(8, 8, 1), latent_dim=16, base_filters=32, seed=0)
    untrained = _frechet_distance(model.generator, classifier)
    # 1,408 of the 1,433 train digits: 44 whole batches, one compiled step shape.
    images = digits_gan_images("train", 8)[:1408]
    model.fit(images, batch_size=32, epochs=3, verbose=0)
    trained = _frechet_distance(model.generator, classifier)
    assert trained < MAX_RATIO * untrained, (trained, untrained)
