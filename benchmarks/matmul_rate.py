"""The machine's float32 matrix-multiply rate, the bound that achieved
GFLOP/s are compared with: PyTorch on the GPU when there is one, else NumPy
(the BLAS every CPU framework here rivals)."""

import time

import numpy as np


def matmul_gflops(device="auto", size=2048, repeats=5):
    import torch

    if device != "cpu" and torch.cuda.is_available():
        size *= 4
        a = torch.randn(size, size, device="cuda")
        torch.backends.cuda.matmul.allow_tf32 = False  # float32, as the models run
        run = lambda: (a @ a, torch.cuda.synchronize())
        name = torch.cuda.get_device_name()
    else:
        a = np.random.default_rng(0).standard_normal((size, size), dtype=np.float32)
        run = lambda: a @ a
        name = "cpu (numpy)"
    run()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return {"device": name, "gflops": 2 * size**3 / min(times) / 1e9, "size": size}
