"""Recipes: declarative TOML files (model, data, schedule, augmentation,
epochs, batch size), each value citing its source, and their validation."""

from keras_zoo.recipes.recipe_loader import list_recipes
from keras_zoo.recipes.recipe_loader import load_recipe
from keras_zoo.recipes.recipe_loader import parse_override
from keras_zoo.recipes.recipe_loader import resolve_recipe
from keras_zoo.recipes.schema import RecipeError

__all__ = ["RecipeError", "list_recipes", "load_recipe", "parse_override", "resolve_recipe"]
