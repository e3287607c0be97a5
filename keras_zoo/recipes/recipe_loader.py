"""Loads a recipe (a TOML file, by path or by the name of one shipped in
the repository's top-level `recipes/`), applies `section.key=value`
overrides and validates everything before any work starts."""

import glob
import os

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from keras_zoo.recipes.schema import RecipeError
from keras_zoo.recipes.schema import defaults
from keras_zoo.recipes.schema import validate_value

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _recipes_directory():
    """Where the shipped recipes are. A wheel carries the top-level
    `recipes/` as the package data `keras_zoo/recipe_files/` (setup.py maps
    one onto the other); a source checkout (editable install, tests) reads
    `recipes/` itself."""
    installed = os.path.join(_PACKAGE_DIR, "recipe_files")
    if os.path.isdir(installed):
        return installed
    return os.path.join(os.path.dirname(_PACKAGE_DIR), "recipes")


RECIPES_DIR = _recipes_directory()


def list_recipes():
    """Names of the recipes shipped with the package."""
    return sorted(os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(RECIPES_DIR, "*.toml")))


def recipe_path(name_or_path):
    """Resolves a shipped recipe name ("digits_convnext") or a file path."""
    if os.path.isfile(name_or_path):
        return name_or_path
    shipped = os.path.join(RECIPES_DIR, f"{name_or_path}.toml")
    if os.path.isfile(shipped):
        return shipped
    raise RecipeError(
        f"No recipe '{name_or_path}': not a file, nor a shipped recipe. "
        f"Shipped recipes: {', '.join(list_recipes())}"
    )


def load_recipe(name_or_path, overrides=()):
    """Returns the resolved recipe: a dict of sections, every key filled in.

    Args:
        name_or_path: a shipped recipe name or a `.toml` file.
        overrides: strings `"section.key=value"`; the value is read as TOML
            (`3`, `0.1`, `true`, `[1, 2]`), else as a plain string.
    """
    path = recipe_path(name_or_path)
    try:
        with open(path, "rb") as f:
            raw = tomllib.load(f)
    except tomllib.TOMLDecodeError as error:
        raise RecipeError(f"Recipe {path} is not valid TOML: {error}") from None
    recipe = resolve_recipe(raw, source=path)
    task = recipe["recipe"]["task"]
    for override in overrides:
        section, key, value = parse_override(override)
        if (section, key) == ("recipe", "task"):
            raise RecipeError(
                f"Override '{override}': recipe.task cannot be overridden (it decides which keys "
                f"are valid); this recipe's task is '{task}'."
            )
        recipe[section][key] = validate_value(section, key, value, source=f"override '{override}'", task=task)
    _check_model(recipe, path)
    recipe["recipe"]["name"] = os.path.splitext(os.path.basename(path))[0]
    return recipe


def resolve_recipe(raw, source="recipe"):
    """Validates a parsed recipe dict and fills in the defaults of its task."""
    # The task comes first: it decides which sections and keys are valid.
    task = raw.get("task", raw.get("recipe", {}).get("task", "image_classification"))
    task = validate_value("recipe", "task", task, source=source)
    recipe = defaults(task)
    for section, values in raw.items():
        if not isinstance(values, dict):  # top-level keys belong to [recipe]
            section, values = "recipe", {section: values}
        for key, value in values.items():
            recipe.setdefault(section, {})
            recipe[section][key] = validate_value(section, key, value, source=source, task=task)
    return recipe


def parse_override(override):
    """`"train.epochs=3"` -> `("train", "epochs", 3)`."""
    target, sep, text = override.partition("=")
    section, dot, key = target.strip().partition(".")
    if not sep or not dot or not section or not key:
        raise RecipeError(
            f"Override '{override}' is not of the form section.key=value "
            "(for example train.epochs=3)."
        )
    try:
        value = tomllib.loads(f"value = {text.strip()}")["value"]
    except tomllib.TOMLDecodeError:
        value = text.strip()  # a bare word: a string
    return section, key, value


def _check_model(recipe, source):
    from keras_zoo import list_models

    name = recipe["model"].get("name")
    if name not in list_models():
        raise RecipeError(
            f"model.name = {name!r} in {source} is not a registered model. "
            f"Valid: {', '.join(list_models())}"
        )


