"""A run's tokenizer, kept in its directory (`tokenizer.json`), as a
checkpoint's embedding rows mean the pieces of one tokenizer only:
`tokenizers` does not train the same WordPiece vocabulary twice (it breaks
ties between equally frequent pieces in hash order), so a resumed run and
`keras-zoo evaluate` read the file the run wrote instead of training again."""

import os

TOKENIZER_FILE = "tokenizer.json"


def with_run_tokenizer(recipe, run_directory):
    """`recipe` with `data.tokenizer_path` pointing at the run's tokenizer
    when the run has one and the recipe names none of its own."""
    path = os.path.join(run_directory, TOKENIZER_FILE)
    data = recipe.get("data", {})
    if data.get("tokenizer_path") != "" or not os.path.exists(path):
        return recipe
    return {**recipe, "data": {**data, "tokenizer_path": path}}


def save_run_tokenizer(data, run_directory):
    """Writes the data's tokenizer into the run (once), if it can be saved."""
    tokenizer = getattr(data, "tokenizer", None)
    path = os.path.join(run_directory, TOKENIZER_FILE)
    if hasattr(tokenizer, "save") and not os.path.exists(path):
        tokenizer.save(path)
