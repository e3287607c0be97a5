"""The skip policy of tests/expected_skips.py: every declaration names a test
that exists, and an undeclared skip fails a run."""

import ast
import fnmatch
import os
import subprocess
import sys

import expected_skips

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _test_functions(path):
    tree = ast.parse(open(os.path.join(ROOT, path), encoding="utf-8").read())
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test")]


def test_every_declaration_names_an_existing_test():
    for key, (backends, reason) in expected_skips.RUNS_ONLY_ON.items():
        path, _, name = key.partition("::")
        assert os.path.isfile(os.path.join(ROOT, path)), key
        assert set(backends) <= {"tensorflow", "jax", "torch"} and backends and reason, key
        if name:
            function = name.split("[")[0]
            assert any(fnmatch.fnmatchcase(f, function) for f in _test_functions(path)), key


def test_a_declared_test_runs_only_where_declared():
    nodeid = "tests/distribution/test_jax_distribution.py::test_mesh_must_divide_the_devices"
    assert expected_skips.skip_reason(nodeid, "jax") is None
    reason = expected_skips.skip_reason(nodeid, "torch")
    assert expected_skips.is_declared(reason) and "runs on jax only" in reason
    assert expected_skips.skip_reason("tests/test_cli.py::test_anything", "torch") is None  # undeclared: runs
    # A parametrized id's brackets are literal, not an fnmatch character class.
    notebook = "tests/examples/test_notebooks.py::test_notebook_runs_top_to_bottom[wgan_gp_digits.ipynb]"
    assert expected_skips.declaration(notebook) is not None
    assert expected_skips.skip_reason(notebook, "jax") is not None


def test_an_undeclared_skip_fails_the_run(tmp_path):
    (tmp_path / "test_skips.py").write_text(
        "import pytest\n"
        "def test_body_skip():\n    pytest.skip('not today')\n"
        "@pytest.mark.skipif(True, reason='a marker')\n"
        "def test_marker_skip():\n    pass\n"
        "def test_missing_dependency():\n    pytest.importorskip('keras_zoo_no_such_package')\n"
        "def test_passes():\n    pass\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.path.join(ROOT, "tests"), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "expected_skips", "-p", "no:cacheprovider", "-q", str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 1, result.stdout
    assert "2 failed, 1 passed, 1 error" in result.stdout, result.stdout
    for reason in ("not today", "a marker", "keras_zoo_no_such_package"):
        assert "Undeclared skip on the" in result.stdout and reason in result.stdout, reason
