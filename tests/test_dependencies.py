"""Every package the suite imports is declared in pyproject's `test` extra
(directly or through the extras it names), so that `pip install -e .[test]`
gives a suite whose tests all run: a missing one would now fail the run
(tests/expected_skips.py), not skip it."""

import ast
import glob
import importlib.metadata
import os
import re
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Imported only where the standard library lacks it (Python < 3.11), and
# declared among the base dependencies with that marker.
VERSION_GUARDED = {"tomli"}


def _name(requirement):
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", requirement).group(0)).lower()


def _declared(project, extra, seen=None):
    """Distributions named by `extra` of this project, through its own extras."""
    seen = set() if seen is None else seen
    names = set()
    for requirement in project["optional-dependencies"][extra]:
        own = re.fullmatch(r"keras-zoo\[([\w,]+)\]", requirement.split(";")[0].strip())
        if own:
            for inner in own.group(1).split(","):
                if inner not in seen:
                    seen.add(inner)
                    names |= _declared(project, inner, seen)
        else:
            names.add(_name(requirement))
    return names


def _imported_modules():
    local = {os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(ROOT, "tests", "**", "*.py"), recursive=True)}
    local |= {"keras_zoo", "benchmarks"}
    modules = {}
    for path in glob.glob(os.path.join(ROOT, "tests", "**", "*.py"), recursive=True):
        for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else [])
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in local:
                    modules.setdefault(top, os.path.relpath(path, ROOT))
    return modules


def test_every_module_the_suite_imports_is_in_the_test_extra():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        project = tomllib.load(f)["project"]
    declared = _declared(project, "test") | {_name(r) for r in project["dependencies"]}
    distributions = importlib.metadata.packages_distributions()
    modules = _imported_modules()
    assert {"torch", "timm", "onnx", "scipy", "nbformat"} <= set(modules)  # the scan sees the imports
    missing = {}
    for module, path in sorted(modules.items()):
        if module in VERSION_GUARDED:
            continue
        found = {_name(d) for d in distributions.get(module, [])}
        assert found, f"{module} (imported by {path}) is not installed"
        if not found & declared:
            missing[module] = (sorted(found), path)
    assert not missing, f"imported by the suite, not in the `test` extra: {missing}"
