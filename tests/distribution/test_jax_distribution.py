"""keras.distribution on JAX over four forced host devices (a fresh
process: XLA_FLAGS must be set before JAX starts): data-parallel and
model-parallel training compute what one device computes, every copy of
a weight is identical, and the layout map really shards."""

import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def _run_worker(worker, out):
    env = {**os.environ, "KERAS_BACKEND": "jax", "XLA_FLAGS": f"{os.environ.get('XLA_FLAGS', '')} --xla_force_host_platform_device_count=4".strip(),
           "PYTHONPATH": os.pathsep.join([REPO, os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, os.path.join(HERE, worker), str(out)], env=env, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return dict(np.load(out))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return _run_worker("jax_distribution_worker.py", tmp_path_factory.mktemp("jax_distribution") / "runs.npz")


@pytest.fixture(scope="module")
def vit_runs(tmp_path_factory):
    return _run_worker("jax_vit_model_parallel_worker.py", tmp_path_factory.mktemp("jax_vit") / "runs.npz")


def _weights(runs, name):
    return [runs[key] for key in sorted((k for k in runs if k.startswith(f"{name}_w")), key=lambda k: int(k.split("_w")[-1]))]


# The comparison's tolerance; every compared weight moves by far more.
RTOL, ATOL = 1e-4, 1e-5

# jax/jaxlib 0.10.2, XLA's SPMD partitioner: the kernel gradient of a grouped
# (depthwise) convolution whose input is split over the "batch" axis of a 2x2
# mesh and replicated over "model" comes out doubled. Here that is stage1's
# dwconv kernel under "native" (stages 2-4 get channel-split inputs from the
# downsampling convs). Reproduced in plain JAX: `lax.conv_general_dilated(
# feature_group_count=C)`, x sharded P("batch"), jax.grad wrt the kernel: 2.0x
# the unsharded gradient; 1.0x with feature_group_count=1 or a (4, 1) mesh.
_NATIVE_MODEL_PARALLEL = pytest.mark.xfail(
    strict=True, reason="XLA SPMD doubles the depthwise kernel gradient of a batch-split, model-replicated input")


@pytest.mark.parametrize("name", [
    "data_parallel",
    pytest.param("model_parallel", marks=_NATIVE_MODEL_PARALLEL),
    "model_parallel_shifted",
])
def test_distributed_training_matches_one_device(runs, name):
    np.testing.assert_allclose(runs[f"{name}_losses"], runs["single_losses"], rtol=1e-5)
    for path, ours, single in zip(runs["weight_paths"], _weights(runs, name), _weights(runs, "single")):
        np.testing.assert_allclose(ours, single, rtol=RTOL, atol=ATOL, err_msg=str(path))
    assert runs[f"{name}_replicas_identical"]


def test_every_compared_weight_moved(runs):
    # A weight that barely moves matches whatever the distributed run did to it.
    initial = _weights(runs, "single_initial")
    for name in ("data_parallel", "model_parallel", "model_parallel_shifted"):
        for start, single_start in zip(_weights(runs, f"{name}_initial"), initial):
            np.testing.assert_array_equal(start, single_start)
    for path, trained, start in zip(runs["weight_paths"], _weights(runs, "single"), initial):
        moved = float(np.max(np.abs(trained - start)))
        assert moved > 100 * (ATOL + RTOL * float(np.max(np.abs(start)))), (str(path), moved)


def test_mesh_runs_the_formulation_auto_picks(runs):
    # The model-parallel mesh runs "auto" (native at these sizes, as on one
    # device) and "shifted" (what "auto" picks at the recipes' sizes on a CPU).
    assert list(runs["model_parallel_formulations"]) == list(runs["single_formulations"])
    assert list(runs["data_parallel_formulations"]) == list(runs["single_formulations"])
    assert set(runs["model_parallel_shifted_formulations"]) == {"shifted"}


def test_layout_map_shards_the_block_mlp_over_the_model_axis(runs):
    # stage4 pwconv1 kernel (64, 256): output channels split over 2 model shards.
    assert tuple(runs["model_parallel_pwconv1_shard_shape"]) == (64, 128)
    assert tuple(runs["data_parallel_pwconv1_shard_shape"]) == (64, 256)


def test_vit_model_parallel_training_matches_one_device(vit_runs):
    np.testing.assert_allclose(vit_runs["model_parallel_losses"], vit_runs["single_losses"], rtol=1e-5)
    for path, ours, single in zip(vit_runs["weight_paths"], _weights(vit_runs, "model_parallel"),
                                  _weights(vit_runs, "single")):
        np.testing.assert_allclose(ours, single, rtol=RTOL, atol=ATOL, err_msg=str(path))
    assert vit_runs["model_parallel_replicas_identical"]


def test_every_compared_vit_weight_moved(vit_runs):
    initial = _weights(vit_runs, "single_initial")
    for start, single_start in zip(_weights(vit_runs, "model_parallel_initial"), initial):
        np.testing.assert_array_equal(start, single_start)
    for path, trained, start in zip(vit_runs["weight_paths"], _weights(vit_runs, "single"), initial):
        if str(path).endswith("/key/bias"):
            continue  # q . b_k is the same for every key: softmax cancels it, its gradient is exactly 0
        moved = float(np.max(np.abs(trained - start)))
        assert moved > 100 * (ATOL + RTOL * float(np.max(np.abs(start)))), (str(path), moved)


@pytest.mark.parametrize("kernel, spec, shard_shape", [
    ("query", ("None", "model"), (32, 16)),  # 2 heads of 16: one whole head per model shard
    ("attention_output", ("model", "None"), (16, 32)),  # by input: the heads each shard computed
    ("fc1", ("None", "model"), (32, 64)),  # 128 hidden units, half per shard
    ("fc2", ("model", "None"), (64, 32)),
    ("norm", ("None",), (32,)),  # replicated
])
def test_vit_layout_splits_heads_and_mlp_megatron_style(vit_runs, kernel, spec, shard_shape):
    assert tuple(vit_runs[f"model_parallel_{kernel}_spec"]) == spec
    assert tuple(vit_runs[f"model_parallel_{kernel}_shard_shape"]) == shard_shape


def test_a_last_batch_that_does_not_split_is_padded_not_dropped(runs):
    # keras_zoo.distribution.batching.replica_divisible_batches, as the recipe
    # trainer uses it for validation data: every example evaluated (the three
    # padding rows repeat the last batch's first three), no Keras warning.
    for source in ("partial_batch", "partial_in_memory_batch"):
        np.testing.assert_allclose(*runs[f"{source}_loss"], rtol=1e-5)
        np.testing.assert_allclose(*runs[f"{source}_accuracy"], rtol=1e-6)
    assert not any("ran out of data" in message for message in runs["partial_batch_warnings"])


def test_mesh_must_divide_the_devices():
    from keras_zoo.distribution.jax_distribution import device_mesh

    with pytest.raises(ValueError, match="model_parallel_size=3, devices=4"):
        device_mesh(3, devices=["cpu:0", "cpu:1", "cpu:2", "cpu:3"])
