"""Evaluation batches for a JAX mesh: a final partial batch is padded to a
multiple of the replicas (nothing dropped), and only where it must be."""

import keras
import numpy as np
import pytest

from keras_zoo.data.array_batches import ArrayBatches
from keras_zoo.distribution.batching import pad_batches_to_multiple
from keras_zoo.distribution.batching import replica_divisible_batches

tf = pytest.importorskip("tensorflow")


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
    in_memory = ArrayBatches(np.zeros((5, 2)), np.arange(5), batch_size=2)  # not tf.data: its own sizes
    assert replica_divisible_batches(in_memory) is in_memory
