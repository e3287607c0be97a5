"""Evaluation batches for a JAX mesh: a final partial batch is padded to a
multiple of the replicas (nothing dropped), in tf.data and in-memory
batches alike, and only where it must be."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_zoo.data.array_batches import ArrayBatches
from keras_zoo.distribution.batching import PaddedBatches
from keras_zoo.distribution.batching import pad_batches_to_multiple
from keras_zoo.distribution.batching import replica_divisible_batches



def _batches(dataset):
    return [tf.nest.map_structure(lambda t: t.numpy(), batch) for batch in dataset]


@pytest.mark.parametrize("examples, expected_last_rows", [
    (45, [32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 32, 33, 34]),  # 13 -> 16
    (35, [32, 33, 34, 32]),  # 3 -> 4: fewer examples than replicas still make a batch
    (48, [32 + i for i in range(16)]),  # divides: unchanged
])
def test_final_batch_is_padded_with_its_own_first_examples(examples, expected_last_rows):
    x = np.arange(examples, dtype="float32")[:, None] * np.ones((1, 3), "float32")
    dataset = tf.data.Dataset.from_tensor_slices((x, np.arange(examples))).batch(16)
    padded = pad_batches_to_multiple(dataset, 4)
    assert int(padded.cardinality()) == int(dataset.cardinality())  # Keras knows the length: no warning
    batches = _batches(padded)
    assert [len(labels) for _, labels in batches[:-1]] == [16, 16]
    assert batches[-1][1].tolist() == expected_last_rows
    np.testing.assert_array_equal(batches[-1][0][:, 0], expected_last_rows)
    seen = np.concatenate([labels for _, labels in batches])
    assert set(seen.tolist()) == set(range(examples))  # every example evaluated


def test_dict_inputs_and_single_component_elements_keep_their_structure():
    inputs = {"image": np.zeros((5, 2), "float32"), "mask": np.ones((5,), "int32")}
    paired = _batches(pad_batches_to_multiple(tf.data.Dataset.from_tensor_slices((inputs, np.arange(5))).batch(5), 2))
    assert sorted(paired[0][0]) == ["image", "mask"] and paired[0][0]["image"].shape == (6, 2)
    alone = _batches(pad_batches_to_multiple(tf.data.Dataset.from_tensor_slices(inputs).batch(5), 2))
    assert sorted(alone[0]) == ["image", "mask"] and alone[0]["mask"].tolist() == [1] * 6


def test_one_device_and_no_dataset_are_left_alone():
    dataset = tf.data.Dataset.range(5).batch(2)
    assert replica_divisible_batches(dataset) is dataset  # one replica in this process
    assert replica_divisible_batches(None) is None


def test_only_a_jax_mesh_gets_padded_batches(monkeypatch):
    monkeypatch.setattr("keras_zoo.distribution.distribution_strategy.replica_count", lambda: 4)
    dataset = tf.data.Dataset.range(5).batch(2)
    if keras.backend.backend() == "jax":
        assert [len(batch) for batch in _batches(replica_divisible_batches(dataset))] == [4, 4, 4]
    else:  # tf.distribute splits a partial batch itself; torch runs one process per device
        assert replica_divisible_batches(dataset) is dataset
    in_memory = ArrayBatches(np.zeros((5, 2)), np.arange(5), batch_size=2, shuffle=False)
    if keras.backend.backend() == "jax":
        assert [len(in_memory_batch[1]) for in_memory_batch in replica_divisible_batches(in_memory)] == [4, 4, 4]
    else:
        assert replica_divisible_batches(in_memory) is in_memory


def test_in_memory_batches_are_padded_like_tf_data():
    inputs = {"source": np.arange(10)[:, None], "target": 2 * np.arange(10)[:, None]}
    batches = PaddedBatches(ArrayBatches(inputs, np.arange(10), batch_size=4, shuffle=False), 4)
    assert len(batches) == 3
    assert batches[0][1].tolist() == [0, 1, 2, 3]  # whole batches unchanged
    last_inputs, last_labels = batches[2]
    assert last_labels.tolist() == [8, 9, 8, 9]
    np.testing.assert_array_equal(last_inputs["target"][:, 0], 2 * last_labels)
    shuffled = ArrayBatches(inputs, np.arange(10), batch_size=4, seed=1)
    padded = PaddedBatches(shuffled, 4)
    first = padded[0][1].copy()
    padded.on_epoch_end()  # passed on: the wrapped batches reshuffle
    assert not np.array_equal(padded[0][1], first)
