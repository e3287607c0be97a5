"""Everything about the package is in pyproject.toml, except one mapping
pyproject cannot express next to automatic package discovery: the
repository's top-level `recipes/` ships inside the wheel as the package data
`keras_zoo/recipe_files/*.toml` (read by keras_zoo.recipes.recipe_loader)."""

from setuptools import find_packages
from setuptools import setup

setup(
    packages=find_packages(include=["keras_zoo", "keras_zoo.*"]) + ["keras_zoo.recipe_files"],
    package_dir={"keras_zoo.recipe_files": "recipes"},
    package_data={"keras_zoo": ["data/*.npz"], "keras_zoo.recipe_files": ["*.toml"]},
)
