"""Distribution on TensorFlow through `tf.distribute`: build and compile
the model inside `strategy.scope()`; `fit` then splits each batch over the
replicas and all-reduces the gradients."""

import json
import os

import tensorflow as tf


def split_cpu(count):
    """Presents the CPU as `count` logical devices (for tests of
    multi-device code); must run before TensorFlow touches a device."""
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * count)


def _multi_worker():
    cluster = json.loads(os.environ.get("TF_CONFIG", "{}")).get("cluster", {})
    return len(cluster.get("worker", [])) > 1


def data_parallel_strategy(tpu=None):
    """The data-parallel strategy for what this process sees:
    - `tpu` given (a name, or "local" on a TPU VM): TPUStrategy;
    - TF_CONFIG naming several workers: MultiWorkerMirroredStrategy;
    - otherwise MirroredStrategy over every local GPU (or logical CPU).
    """
    if tpu is not None:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu)
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return tf.distribute.TPUStrategy(resolver)
    if _multi_worker():
        return tf.distribute.MultiWorkerMirroredStrategy()
    gpus = tf.config.list_logical_devices("GPU")
    devices = [d.name for d in gpus] or [d.name for d in tf.config.list_logical_devices("CPU")]
    return tf.distribute.MirroredStrategy(devices=devices)


def replica_values(variable):
    """Each replica's copy of a Keras variable."""
    return [value.numpy() for value in tf.distribute.get_strategy().experimental_local_results(variable.value)]
