"""Distribution on JAX through `keras.distribution`: data parallelism over
all devices, model parallelism with a layout map, and multi-host set-up.
Set the distribution before building the model: Keras lays each variable
out when it is created."""

import keras
from keras.distribution import DataParallel
from keras.distribution import DeviceMesh
from keras.distribution import LayoutMap
from keras.distribution import ModelParallel

from keras_zoo.models.convnext.convnext_backbone import ConvNeXtBackbone
from keras_zoo.models.vit.vit_backbone import ViTBackbone

# Each family's layout map lives beside its backbone (`model_parallel_layout`);
# these names are kept for users of the Python API.
CONVNEXT_LAYOUT = ConvNeXtBackbone.model_parallel_layout
VIT_LAYOUT = ViTBackbone.model_parallel_layout


def initialize_multi_host(coordinator_address=None, num_processes=None, process_id=None):
    """Joins the hosts of a multi-host job (`jax.distributed.initialize`
    through Keras); on a TPU VM pod slice or under SLURM every argument is
    discovered. Call on every host before anything touches a device."""
    keras.distribution.initialize(coordinator_address, num_processes, process_id)


def data_parallel(devices=None):
    """Every device holds a full replica; each batch is split over them."""
    return DataParallel(devices=devices or keras.distribution.list_devices())


def device_mesh(model_parallel_size, devices=None):
    """A `(batch, model)` mesh: `model_parallel_size` devices share each
    replica's weights; the rest of the factor goes to data parallelism."""
    devices = devices or keras.distribution.list_devices()
    if model_parallel_size < 1 or len(devices) % model_parallel_size:
        raise ValueError(
            f"model_parallel_size must divide the device count. "
            f"Received: model_parallel_size={model_parallel_size}, devices={len(devices)}"
        )
    return DeviceMesh(shape=(len(devices) // model_parallel_size, model_parallel_size),
                      axis_names=("batch", "model"), devices=devices)


def model_parallel(layout, model_parallel_size=2, devices=None):
    """Weights matching `layout` (path regex -> axis per dimension, e.g. a
    backbone's `model_parallel_layout`) sharded over the mesh's "model"
    axis, batches over its "batch" axis. No default: a layout of another
    family would match nothing and silently replicate every weight."""
    mesh = device_mesh(model_parallel_size, devices)
    layout_map = LayoutMap(mesh)
    for pattern, axes in layout.items():
        layout_map[pattern] = axes
    return ModelParallel(layout_map=layout_map, batch_dim_name="batch")
