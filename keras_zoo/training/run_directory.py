"""Run directories `saved_models/<recipe>-<timestamp>/`. Running the same
recipe (with the same overrides) again finds its latest unfinished run and
resumes it; a run is finished once `COMPLETED` exists in it."""

import glob
import json
import os
import time

RECIPE_FILE = "recipe.json"
COMPLETED_FILE = "COMPLETED"


class RunDirectoryError(ValueError):
    """A path that is not a run directory, or a run without the checkpoint asked for."""


def find_or_create_run_directory(runs_root, recipe):
    """Returns `(path, resumed)`: the latest unfinished run of this exact
    resolved recipe, or a new timestamped directory holding the recipe."""
    name = recipe["recipe"]["name"]
    for path in sorted(glob.glob(os.path.join(runs_root, f"{name}-*")), reverse=True):
        if os.path.exists(os.path.join(path, COMPLETED_FILE)):
            continue
        if read_run_recipe(path) == recipe:
            return path, True
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = os.path.join(runs_root, f"{name}-{stamp}")
    suffix = 1
    while os.path.exists(path):  # two runs started in the same second
        suffix += 1
        path = os.path.join(runs_root, f"{name}-{stamp}-{suffix}")
    os.makedirs(path)
    with open(os.path.join(path, RECIPE_FILE), "w") as f:
        json.dump(recipe, f, indent=2)
    return path, False


def read_run_recipe(path):
    """The resolved recipe a run was started with, or None."""
    try:
        with open(os.path.join(path, RECIPE_FILE)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def mark_completed(path, summary):
    with open(os.path.join(path, COMPLETED_FILE), "w") as f:
        json.dump(summary, f, indent=2)
