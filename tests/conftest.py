"""Shared test set-up. Every test runs under the backend that KERAS_BACKEND
names; tests/run_all_backends.py runs the suite once per backend.

Skips: the tests declared in tests/expected_skips.py are skipped on the
backends they do not run on; every other skip fails (see that file)."""

import gc
import os

# torchvision (which timm imports) segfaults when imported after tensorflow
# (tensorflow-cpu 2.21, torchvision 0.29): import it first, before keras.
import timm  # noqa: F401

import keras
import pytest

# The skip policy's hooks (pytest finds hooks among a conftest's names).
from expected_skips import pytest_collection_modifyitems  # noqa: F401
from expected_skips import pytest_make_collect_report  # noqa: F401
from expected_skips import pytest_runtest_makereport  # noqa: F401

BACKEND = keras.backend.backend()



@pytest.fixture(autouse=True)
def _fresh_keras_state():
    """Each test starts with float32, a fresh name scope and fixed seeds."""
    keras.config.set_dtype_policy("float32")
    # Without the gc.collect() clear_session would run by default: ~1 s a
    # test, a third of the suite's time; Python's own collections suffice.
    keras.utils.clear_session(free_memory=False)
    keras.utils.set_random_seed(0)
    yield
    keras.config.set_dtype_policy("float32")


def pytest_collection_finish(session):
    # Once the test modules are imported, TensorFlow, JAX, PyTorch and timm
    # make ~800,000 tracked objects: a full garbage collection takes ~1 s on
    # the CI machine. In the permanent generation they are not rescanned.
    gc.freeze()


def pytest_report_header(config):
    return f"keras {keras.__version__}, backend {BACKEND}, KERAS_BACKEND={os.environ.get('KERAS_BACKEND')}"
