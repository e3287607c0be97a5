"""keras_zoo's imports point down, and none goes round in a circle.

Levels, lowest first (a module may import its own level or below):
  0  utils, backend, registry   helpers and backend-specific ops
  1  layers, weights, generation  layers ask backend/ for fast paths
  2  models, optimizers         families and what their .keras files hold;
                                `keras_zoo` itself (it imports the families)
  3  data, training, evaluation, export, distribution, callbacks,
     recipes, experiments, testing
  4  cli
Every import counts, those inside functions too. The only upward imports
are the old paths kept for users (COMPATIBILITY_SHIMS): nothing in keras_zoo
imports them, so they close no circle.
"""

import ast
import os

import pytest

PACKAGE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "keras_zoo")

LEVELS = {
    "utils": 0, "backend": 0, "registry": 0, "_cli_backend": 0,
    "layers": 1, "weights": 1, "generation": 1,
    "models": 2, "optimizers": 2, "": 2,
    "data": 3, "training": 3, "evaluation": 3, "export": 3, "distribution": 3, "callbacks": 3,
    "recipes": 3, "experiments": 3, "testing": 3,
    "cli": 4,
}

# Old import paths of names that moved up (issue 19); they re-export only.
COMPATIBILITY_SHIMS = {
    "keras_zoo.models.transformer.number_translation_task",
    "keras_zoo.models.transformer.ted_translation_task",
}


def _modules(package=PACKAGE):
    """{module name: source path} for every module of keras_zoo."""
    modules = {}
    root = os.path.dirname(package)
    for directory, _, files in os.walk(package):
        for file in files:
            if file.endswith(".py"):
                path = os.path.join(directory, file)
                name = os.path.relpath(path, root)[:-3].replace(os.sep, ".")
                modules[name[: -len(".__init__")] if name.endswith(".__init__") else name] = path
    return modules


def import_graph(package=PACKAGE):
    """{module: {keras_zoo modules it imports}}; `from a import b` names
    module `a.b` where `b` is a module, else `a`."""
    modules = _modules(package)
    graph = {}
    for name, path in modules.items():
        targets = set()
        with open(path) as f:
            tree = ast.parse(f.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names if alias.name.split(".")[0] == "keras_zoo"}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "keras_zoo":
                for alias in node.names:
                    submodule = f"{node.module}.{alias.name}"
                    targets.add(submodule if submodule in modules else node.module)
        graph[name] = targets - {name}
    return graph


def level(module):
    part = module.split(".")[1] if "." in module else ""
    if part not in LEVELS:
        raise KeyError(f"keras_zoo.{part} has no level in tests/test_dependency_rule.py LEVELS: give it one.")
    return LEVELS[part]


def upward_imports(graph):
    return sorted((module, target) for module, targets in graph.items() if module not in COMPATIBILITY_SHIMS
                  for target in targets if level(target) > level(module))


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_a_level_above_its_own():
    assert upward_imports(import_graph()) == []


def test_no_import_cycle():
    assert cycles(import_graph()) == []


def test_every_package_has_a_level():
    for module in import_graph():
        level(module)


def test_the_compatibility_shims_are_imported_by_nothing_in_keras_zoo():
    graph = import_graph()
    assert COMPATIBILITY_SHIMS <= set(graph)
    assert [module for module, targets in graph.items() if targets & COMPATIBILITY_SHIMS] == []


def backend_name_tests(package=PACKAGE):
    """(module, line) of each `keras.backend.backend()` / `keras.config.backend()`
    call and each import of torch, jax or tensorflow in layers/ and models/."""
    found = []
    for name, path in _modules(package).items():
        if name.split(".")[1:2] not in (["layers"], ["models"]):
            continue
        with open(path) as f:
            tree = ast.parse(f.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "backend":
                found.append((name, node.lineno))
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if any(m.split(".")[0] in ("torch", "jax", "tensorflow") for m in modules):
                    found.append((name, node.lineno))
    return found


def test_layers_and_models_never_test_the_backend_name_themselves():
    """They ask keras_zoo.backend (fast_paths, gradients, ...), where the
    backends differ in one small module each."""
    assert backend_name_tests() == []


def test_the_rule_catches_an_upward_import_and_a_cycle(tmp_path):
    """The checks themselves: a layer importing the trainer is caught, and
    so is a circle between two models."""
    package = tmp_path / "keras_zoo"
    for sub in ("layers", "training", "models"):
        (package / sub).mkdir(parents=True)
        (package / sub / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "training" / "trainer.py").write_text("")
    (package / "layers" / "dense.py").write_text("def f():\n    from keras_zoo.training import trainer\n")
    (package / "models" / "a.py").write_text("from keras_zoo.models import b\n")
    (package / "models" / "b.py").write_text("import keras_zoo.models.a\n")
    (package / "models" / "c.py").write_text("import keras\nFAST = keras.backend.backend() == 'jax'\n")
    (package / "layers" / "d.py").write_text("def f():\n    import torch\n")
    graph = import_graph(str(package))
    assert upward_imports(graph) == [("keras_zoo.layers.dense", "keras_zoo.training.trainer")]
    assert sorted(backend_name_tests(str(package))) == [("keras_zoo.layers.d", 2), ("keras_zoo.models.c", 2)]
    assert cycles(graph) == [["keras_zoo.models.a", "keras_zoo.models.b"]]


@pytest.mark.parametrize("old, new, names", [
    ("keras_zoo.training.precision", "keras_zoo.utils.precision", ["set_precision", "loss_scaled"]),
    ("keras_zoo.training.fused_adamw", "keras_zoo.optimizers.fused_adamw", ["FusedAdamW"]),
    ("keras_zoo.training.warmup_cosine", "keras_zoo.optimizers.warmup_cosine", ["WarmupCosineSchedule"]),
    ("keras_zoo.training.layerwise_lr", "keras_zoo.optimizers.layerwise_lr", ["with_layerwise_lr"]),
    ("keras_zoo.models.transformer.number_translation_task", "keras_zoo.training.tasks.translation", ["exact_match"]),
    ("keras_zoo.models.transformer.ted_translation_task", "keras_zoo.training.tasks.translation",
     ["corpus_bleu", "translate"]),
    ("keras_zoo.training.translation_task", "keras_zoo.training.tasks.translation",
     ["TranslationData", "build_translation_model", "exact_match", "translation_results"]),
    ("keras_zoo.training.gan_task", "keras_zoo.training.tasks.gan", ["build_gan_model", "generate", "gan_results"]),
    ("keras_zoo.recipes.schema", "keras_zoo.recipes.fields", ["Field", "RecipeError"]),
    ("keras_zoo.layers.depthwise_conv2d", "keras_zoo.backend.fast_paths", ["auto_depthwise_formulation",
                                                                          "MIN_SHIFTED_VALUES"]),
])
def test_a_moved_name_keeps_its_old_import_path(old, new, names):
    import importlib

    for name in names:
        assert getattr(importlib.import_module(old), name) is getattr(importlib.import_module(new), name)
