"""`keras-zoo ... --backend B` chooses Keras' backend before anything imports
keras. Keras reads KERAS_BACKEND once, at its import, and `import keras_zoo`
(which the `keras-zoo` script and `python -m keras_zoo.cli` run before the
CLI's own code) imports it to register the model classes: so the CLI's flag
is read here, first, from the command line of this process. Standard
library only; nothing happens in any other process."""

import os
import sys

BACKENDS = ("tensorflow", "jax", "torch")


def _is_cli():
    argv = list(getattr(sys, "orig_argv", sys.argv))
    if os.path.basename(sys.argv[0]) in ("keras-zoo", "keras-zoo.exe"):
        return True
    return any(a == "-m" and b == "keras_zoo.cli" for a, b in zip(argv, argv[1:]))


def select_cli_backend():
    """Sets KERAS_BACKEND from the CLI's `--backend B` (or `--backend=B`),
    only in a keras-zoo CLI process that has not imported keras yet."""
    if "keras" in sys.modules or not _is_cli():
        return
    argv = sys.argv[1:]
    for index, argument in enumerate(argv):
        value = argv[index + 1] if argument == "--backend" and index + 1 < len(argv) else None
        if argument.startswith("--backend="):
            value = argument.split("=", 1)[1]
        if value in BACKENDS:  # a bad value is left to argparse, which says what is valid
            os.environ["KERAS_BACKEND"] = value
            return
