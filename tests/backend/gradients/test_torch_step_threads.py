"""PyTorch only: a small CPU batch's train step runs on one intra-op thread
(benchmarks/gan_torch_step.py shows why), and torch's setting is restored."""

import numpy as np
import torch

from keras_zoo.backend.gradients.torch import SINGLE_THREAD_MAX_ELEMENTS
from keras_zoo.backend.gradients.torch import StatefulTrainStep
from keras_zoo.backend.gradients.torch import step_threads


def test_small_cpu_batches_get_one_thread_and_large_ones_keep_the_setting():
    assert step_threads((torch.zeros(64, 8, 8, 1),)) == 1  # the default digits GAN batch
    assert step_threads(torch.zeros(SINGLE_THREAD_MAX_ELEMENTS)) == 1
    assert step_threads((torch.zeros(SINGLE_THREAD_MAX_ELEMENTS + 1),)) is None
    assert step_threads({"images": np.zeros((2, 2))}) is None  # no torch tensor: leave it


class _Recorder(StatefulTrainStep):
    def stateful_train_step(self, data):
        self.threads = torch.get_num_threads()
        return {}


def test_train_step_runs_small_batches_on_one_thread_and_restores_the_setting():
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        recorder = _Recorder()
        recorder.train_step((torch.zeros(64, 8, 8, 1),))
        assert recorder.threads == 1 and torch.get_num_threads() == 2
        recorder.train_step((torch.zeros(64, 64, 64, 3),))
        assert recorder.threads == 2
    finally:
        torch.set_num_threads(previous)
