"""A small classifier of the 8x8 UCI digits, the judge of generated digits:
its probabilities give confidence and class coverage, its penultimate layer
the feature space of the Fréchet distance."""

import functools

import keras

from keras_zoo.data.digits import NUM_CLASSES
from keras_zoo.data.digits import load_digits

FEATURES_LAYER = "features"


def build_digits_classifier():
    """`(B, 8, 8, 1)` in [0, 1] -> `(B, 10)` probabilities."""
    images = keras.Input((8, 8, 1), name="images")
    x = keras.layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1")(images)
    x = keras.layers.Conv2D(64, 3, strides=2, padding="same", activation="relu", name="conv2")(x)  # (B, 4, 4, 64)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(64, activation="relu", name=FEATURES_LAYER)(x)
    probabilities = keras.layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities")(x)
    return keras.Model(images, probabilities, name="digits_classifier")


@functools.lru_cache(maxsize=2)
def train_digits_classifier(epochs=40, seed=0):
    """Trains on the digits' train split; returns `(model, test_accuracy)`.

    Cached: the judge is the same for every GAN run of a process (a
    comparison of three losses trains it once)."""
    keras.utils.set_random_seed(seed)
    model = build_digits_classifier()
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    images, labels = load_digits("train")
    model.fit(images, labels, batch_size=64, epochs=epochs, verbose=0)
    test_images, test_labels = load_digits("test")
    _, accuracy = model.evaluate(test_images, test_labels, verbose=0)
    return model, float(accuracy)


def features_model(classifier):
    """The classifier up to its penultimate layer: images -> `(B, 64)`."""
    return keras.Model(classifier.inputs, classifier.get_layer(FEATURES_LAYER).output)
