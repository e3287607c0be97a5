"""Keras `fit` under torchrun: two gloo processes on CPU compute what one
process computes on the whole batch, and end with identical weights."""

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

from keras_zoo.distribution.batching import drop_remainder
from keras_zoo.distribution.batching import per_replica_batch_size
from keras_zoo.distribution.torch_ddp import shard_arrays


WORKER = os.path.join(os.path.dirname(__file__), "torch_ddp_worker.py")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(command, tmp_path):
    env = {**os.environ, "KERAS_BACKEND": "torch", "OMP_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([REPO, os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def _load(path):
    data = np.load(path)
    weights = [data[f"w{i}"] for i in range(len(data.files) - 1)]
    return data["losses"], weights


def _single_process_run():
    spec = importlib.util.spec_from_file_location("torch_ddp_worker", WORKER)
    worker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(worker)
    return worker.train()


def test_two_processes_match_one_and_stay_identical(tmp_path):
    _run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
          WORKER, str(tmp_path / "rankRANK.npz")], tmp_path)
    single_losses, single_weights = _single_process_run()  # here: world size 1, whole batches
    losses = []
    for rank in (0, 1):
        rank_losses, weights = _load(tmp_path / f"rank{rank}.npz")
        losses.append(rank_losses)
        # Replicas hold identical weights (bitwise: same averaged gradients).
        for ours, theirs in zip(weights, _load(tmp_path / "rank0.npz")[1]):
            np.testing.assert_array_equal(ours, theirs)
    # The mean of the ranks' losses is the whole batch's loss, epoch by epoch.
    np.testing.assert_allclose(np.mean(losses, axis=0), single_losses, rtol=1e-5)
    for ours, single in zip(_load(tmp_path / "rank0.npz")[1], single_weights):
        np.testing.assert_allclose(ours, single, rtol=1e-4, atol=1e-6)
    # Training moved the weights (the comparison above is not of initial values).
    assert single_losses[1] < single_losses[0]


def test_sharding_keeps_global_batches_aligned_and_drops_uneven_rows():
    rows = np.arange(11)
    (rank0,), (rank1,) = shard_arrays((rows,), 0, 2), shard_arrays((rows,), 1, 2)
    assert rank0.tolist() == [0, 2, 4, 6, 8] and rank1.tolist() == [1, 3, 5, 7, 9]
    with pytest.warns(UserWarning, match="batch_size=7 does not divide over 2 replicas: using 6"):
        assert per_replica_batch_size(7, 2) == 3
    assert drop_remainder((np.arange(20),), 6)[0].tolist() == list(range(18))
    with pytest.raises(ValueError, match="batch_size=2, replicas=4"):
        per_replica_batch_size(2, 4)


def test_more_processes_than_gpus_is_refused_with_the_way_out(monkeypatch):
    """torchrun --nproc_per_node=2 on a one-GPU machine (a free Colab): the
    second process would get an invalid device (or share one under NCCL)."""
    import torch

    from keras_zoo.distribution import torch_ddp

    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("LOCAL_RANK", "1")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(torch.cuda, "set_device", lambda device: pytest.fail("set_device must not be reached"))
    with pytest.raises(RuntimeError, match=r"local rank 1 of 1 GPU\(s\).*--nproc_per_node=1.*CUDA_VISIBLE_DEVICES"):
        torch_ddp.initialize()
