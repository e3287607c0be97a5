"""What the notebooks promise beside running (test_notebooks.py runs them):
each has an "Open in Colab" badge in README.md at its path in the repository,
their Colab install line keeps Colab's GPU builds of the backends and
installs everything they import, and they use keras_zoo's public API only.

Static: nothing is executed or imported from the notebooks.
"""

import ast
import glob
import importlib.metadata
import os
import re
import sys

import nbformat
import pytest


try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOTEBOOKS = sorted(glob.glob(os.path.join(ROOT, "examples", "*.ipynb")))
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
# Colab ships GPU builds of these; reinstalling any of them from PyPI replaces
# them (tensorflow-cpu over Colab's TensorFlow: no GPU).
ACCELERATOR_BUILDS = {"tensorflow", "tensorflow-cpu", "tf-nightly", "jax", "jaxlib", "torch"}
# Modules a notebook may import without the install line providing them: the
# Jupyter kernel's own, and the backends (Colab has all three, locally an extra).
PROVIDED = {"IPython", "keras", "keras_zoo", "tensorflow", "jax", "torch"}
IMPORT_LINE = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import\s+([\w, ()]+)|import\s+([\w., ]+))", re.MULTILINE)


def _pyproject():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as file:
        return tomllib.load(file)["project"]


def _repository():
    return _pyproject()["urls"]["Repository"].rstrip("/")


def _code(path):
    notebook = nbformat.read(path, as_version=4)
    return "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")


def _imports(source):
    """(module, [names]) for every import line, the scripts a cell writes or
    passes to `python -c` included (they are lines of the cell too)."""
    found = []
    for from_module, names, modules in IMPORT_LINE.findall(source):
        if from_module:
            found.append((from_module, [n.split(" as ")[0].strip() for n in names.strip("()").split(",") if n.strip()]))
        else:
            found.extend((module.split(" as ")[0].strip(), []) for module in modules.split(",") if module.strip())
    return found


def _requirement_name(requirement):
    return re.split(r"[\s\[<>=!~;@]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _resolve(extras, optional, seen=None):
    """Requirement names an install of `keras-zoo[extras]` asks for, through
    the extras that name keras-zoo itself."""
    seen = set() if seen is None else seen
    names = set()
    for extra in extras:
        if extra in seen:
            continue
        seen.add(extra)
        if extra not in optional:
            raise AssertionError(f"keras-zoo has no extra {extra!r}. Extras: {sorted(optional)}")
        for requirement in optional[extra]:
            name = _requirement_name(requirement)
            if name == "keras-zoo":
                names |= _resolve(re.search(r"\[(.*?)\]", requirement).group(1).split(","), optional, seen)
            else:
                names.add(name)
    return names


def _public_names(module):
    """`__all__` of a keras_zoo package, read from its source (importing them
    all would import every backend's framework into this process)."""
    path = os.path.join(ROOT, *module.split("."), "__init__.py")
    if not os.path.exists(path):
        return None
    for node in ast.parse(open(path).read()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()


def test_every_notebook_has_its_colab_badge_in_readme_and_in_itself():
    owner_and_name = _repository().removeprefix("https://github.com/")
    readme = open(os.path.join(ROOT, "README.md")).read()
    expected = set()
    for path in NOTEBOOKS:
        name = os.path.basename(path)
        link = f"https://colab.research.google.com/github/{owner_and_name}/blob/main/examples/{name}"
        expected.add(link)
        badge = f"[![Open In Colab]({BADGE_IMAGE})]({link})"
        assert badge in readme, f"README.md has no Colab badge for examples/{name}: {badge}"
        first_cell = nbformat.read(path, as_version=4).cells[0]
        assert badge in first_cell.source, f"{name} does not open with its own Colab badge"
    stale = set(re.findall(r"https://colab\.research\.google\.com/github/[^)\s]+", readme)) - expected
    assert not stale, f"README.md links notebooks that are not in examples/ at {owner_and_name}: {sorted(stale)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=os.path.basename)
def test_colab_install_line_keeps_colabs_gpu_builds(path):
    installs = re.findall(r'"(keras-zoo(?:\[([\w,]+)\])?\s*@\s*git\+(\S+?))"', _code(path))
    assert len(installs) == 1, f"{os.path.basename(path)}: expected one Colab install of keras-zoo, found {installs}"
    (_, extras, url), = installs
    assert url.rstrip("/") == _repository()
    project = _pyproject()
    asked = {_requirement_name(r) for r in project["dependencies"]}
    asked |= _resolve(extras.split(",") if extras else [], project["optional-dependencies"])
    assert not asked & ACCELERATOR_BUILDS, f"the Colab install would replace Colab's builds of {asked & ACCELERATOR_BUILDS}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=os.path.basename)
def test_colab_install_line_provides_what_the_notebook_imports(path):
    source = _code(path)
    extras = re.search(r'"keras-zoo\[([\w,]+)\]\s*@', source)
    project = _pyproject()
    installed = {_requirement_name(r) for r in project["dependencies"]}
    installed |= _resolve(extras.group(1).split(",") if extras else [], project["optional-dependencies"])
    distributions = importlib.metadata.packages_distributions()
    missing = {}
    for module, _ in _imports(source):
        top = module.split(".")[0]
        if top in sys.stdlib_module_names or top in PROVIDED:
            continue
        names = {_requirement_name(d) for d in distributions.get(top, [top])}
        if not names & installed:
            missing[top] = sorted(names)
    assert not missing, f"{os.path.basename(path)} imports modules its install line does not provide: {missing}"


def _private_uses(source):
    """`import keras_zoo`, or `from keras_zoo[.package] import name` with the
    name in that package's `__all__`; never a module below a package."""
    private = []
    for module, names in _imports(source):
        if module.split(".")[0] != "keras_zoo":
            continue
        public = _public_names(module) if module.count(".") <= 1 else None
        if not names:  # `import keras_zoo...`
            if module != "keras_zoo":
                private.append(f"import {module}")
        elif public is None:
            private.append(f"from {module} import {', '.join(names)}")
        else:
            private.extend(f"from {module} import {name}" for name in names if name not in public)
    for attribute in re.findall(r"\bkeras_zoo\.(\w+)", source):
        if attribute not in _public_names("keras_zoo") and _public_names(f"keras_zoo.{attribute}") is None:
            private.append(f"keras_zoo.{attribute}")
    return private


@pytest.mark.parametrize("path", NOTEBOOKS, ids=os.path.basename)
def test_notebook_uses_only_the_public_api(path):
    private = _private_uses(_code(path))
    assert not private, f"{os.path.basename(path)} reaches past the public API: {private}"


def test_readme_code_uses_only_the_public_api():
    """README.md's and docs/'s Python examples are what users copy: the same rule."""
    import glob

    pages = [os.path.join(ROOT, "README.md"), *sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))]
    assert len(pages) >= 3  # README and the docs pages
    readme = "\n".join(open(page).read() for page in pages)
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    assert len(blocks) >= 5
    private = _private_uses("\n".join(blocks))
    assert not private, f"README.md's examples reach past the public API: {private}"


def test_the_contract_checks_fail_on_what_they_guard():
    """The helpers above, on lines a notebook must not have."""
    assert _imports("from keras_zoo.data.image_pipeline import image_classification_data\nimport numpy as np") == [
        ("keras_zoo.data.image_pipeline", ["image_classification_data"]), ("numpy", [])]
    assert "tensorflow-cpu" in _resolve(["all"], _pyproject()["optional-dependencies"])
    assert "image_classification_data" in _public_names("keras_zoo.data")
    assert _public_names("keras_zoo.data.image_pipeline") is None  # a module, not a package
    assert _private_uses("from keras_zoo.training.precision import set_precision\nkeras_zoo.registry.x") == [
        "from keras_zoo.training.precision import set_precision", "keras_zoo.registry"]
    assert _private_uses("from keras_zoo.training import set_precision, _private") == [
        "from keras_zoo.training import _private"]
