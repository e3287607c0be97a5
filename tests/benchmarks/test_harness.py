"""The benchmark harness's bookkeeping (grouping, rates, table), without
starting workers: benchmarks measure, these check the arithmetic."""

from benchmarks import harness


def test_every_group_gets_the_yardstick_once():
    rows = ["keras_zoo/jax", "keras_hub/jax", "keras_zoo/torch", "torch.nn/eager"]
    groups = harness.groups_with_yardstick(rows, "torch.nn/eager",
                                           lambda row: "torch" if row == "torch.nn/eager" else row.split("/")[1])
    assert groups == [["keras_zoo/jax", "keras_hub/jax", "torch.nn/eager"], ["keras_zoo/torch", "torch.nn/eager"]]
    # Not asked for, not added.
    assert harness.groups_with_yardstick(rows[:2], "torch.nn/eager", lambda row: "jax") == [rows[:2]]
    # The yardstick alone in its group is timed in every other group already: no group of its own,
    # unless it is the only row.
    by_backend = lambda row: "torch" if row == "timm/eager" else row.split("/")[1]
    assert harness.groups_with_yardstick(["keras_zoo/jax", "timm/eager"], "timm/eager", by_backend) == [
        ["keras_zoo/jax", "timm/eager"]]
    assert harness.groups_with_yardstick(["timm/eager"], "timm/eager", by_backend) == [["timm/eager"]]


def test_rates_are_units_over_the_median_step_and_failures_are_reported():
    results = {
        "a/jax": {"train": {"compile_seconds": 3.0, "seconds_per_step": [0.5, 0.25, 1.0], "peak_rss_mb": 100}},
        "yard/eager": {"train": {"compile_seconds": 1.0, "seconds_per_step": [1.0, 1.0, 1.0], "peak_rss_mb": 50}},
        "broken/jax": {"train": {"error": "build failed: ValueError: no"}},
    }
    table = harness.rate_table(results, {"train": (256, "tokens/s")})
    assert table["a/jax"]["train"]["rate"] == 256 / 0.5
    assert (table["a/jax"]["train"]["rate_min"], table["a/jax"]["train"]["rate_max"]) == (256.0, 1024.0)
    assert table["a/jax"]["train"]["unit"] == "tokens/s" and "rate" not in table["broken/jax"]["train"]
    report = {"benchmark": "test", "machine": {"accelerator": "CPU", "cpus": 2}, "yardstick": "yard/eager",
              "groups": [{"rows": list(results), "results": table}]}
    lines = harness.format_rates(report).splitlines()
    assert "| 1 | a/jax | train | 512.00 tokens/s | 256.00-1024.00 | 2.00 | 100 | 3.0 |" in lines
    assert any("broken/jax" in line and "failed: build failed" in line for line in lines)


def test_minor_faults_count_pages_touched_for_the_first_time():
    pages = 4096  # 16 MiB of 4 KiB pages, above glibc's mmap threshold: fresh from the system
    before = harness.minor_faults()
    block = bytearray(pages * 4096)  # calloc'd: mapped but not yet touched
    block[::4096] = b"\x01" * pages  # one write per page
    assert harness.minor_faults() - before >= pages * 0.9


def test_malloc_hugepages_adds_the_glibc_tunable_to_every_worker(monkeypatch):
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    assert "GLIBC_TUNABLES" not in harness.device_env("cpu")
    assert harness.device_env("cpu", malloc_hugepages=True)["GLIBC_TUNABLES"] == "glibc.malloc.hugetlb=1"
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2")  # kept, not replaced
    assert harness.device_env("cpu", True)["GLIBC_TUNABLES"] == "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"


def test_each_repetition_rotates_the_order_of_the_rows(monkeypatch):
    # The row timed right after a PyTorch row ran slower, whichever it was:
    # each row takes each place in turn.
    timed = []

    class FakeWorker:
        def __init__(self, module, row, env, log_directory, worker_args):
            self.row = row

        def ask(self, command):
            if "warm" in command:
                return {"step_seconds": 1.0, "first_seconds": 1.0, "second_seconds": 1.0}
            timed.append(self.row)
            return {"seconds": 1.0, "minor_faults": 0, "peak_rss_mb": 1}

        def close(self):
            pass

    monkeypatch.setattr(harness, "Worker", FakeWorker)
    results = harness.run_group("m", ["a", "b", "c"], ["train"], 3, {}, None)
    assert timed == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]
    assert all(len(results[row]["train"]["seconds_per_step"]) == 3 for row in "abc")
