import keras
import numpy as np

from keras_zoo.layers import ClassTokenPooling
from keras_zoo.testing import check_layer


def test_layer_checks(tmp_path):
    check_layer(lambda **kw: ClassTokenPooling(**kw), (2, 5, 6), str(tmp_path))


def test_it_takes_the_first_token():
    tokens = np.random.default_rng(0).normal(size=(2, 5, 6)).astype("float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(ClassTokenPooling()(tokens)), tokens[:, 0])
