"""The `keras-zoo` command line.

    keras-zoo train RECIPE [--backend jax] [--set train.epochs=3 ...]
    keras-zoo evaluate RUN_DIRECTORY [--checkpoint last.keras]
    keras-zoo list [PATTERN] [--recipes]
    keras-zoo export RUN_OR_MODEL --format saved_model|tflite|onnx [--quantize float16|dynamic_int8]
"""

import argparse
import os
import sys

BACKENDS = ("tensorflow", "jax", "torch")


def _list(args):
    if args.recipes:
        from keras_zoo.recipes import list_recipes

        names = list_recipes()
    else:
        import keras_zoo

        names = keras_zoo.list_models(args.pattern)
    for name in names:
        print(name)
    return 0


def _train(args):
    from keras_zoo.recipes import load_recipe
    from keras_zoo.training import train_recipe

    recipe = load_recipe(args.recipe, args.overrides)
    result = train_recipe(recipe, runs_root=args.runs_dir, verbose=2 if args.quiet else 1)
    from keras_zoo.training.tasks import get_task

    headline = get_task(recipe["recipe"]["task"]).headline(result)
    print(
        f"{'Resumed and finished' if result.resumed else 'Finished'} {result.run_directory}: "
        f"{headline}, {result.seconds:.0f}s of training in this session."
    )
    return 0


def _evaluate(args):
    from keras_zoo.training import evaluate_run
    from keras_zoo.training.run_directory import RunDirectoryError

    try:
        metrics = evaluate_run(args.run, checkpoint=args.checkpoint, verbose=2 if args.quiet else 1)
    except RunDirectoryError as error:
        print(f"keras-zoo evaluate: error: {error}", file=sys.stderr)
        return 2
    print(" ".join(f"{key}={_figure(value)}" for key, value in metrics.items()))
    return 0


def _figure(value):
    """One `key=value` field: floats to 4 places, lists and dicts as compact
    JSON (no spaces, so the line splits into its fields)."""
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, (list, tuple, dict)):
        import json

        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _export(args):
    from keras_zoo.export import ExportVerificationError, export_model

    try:
        export_model(args.run_or_model, args.output, format=args.format, quantize=args.quantize, checkpoint=args.checkpoint)
    except (ValueError, FileNotFoundError, ImportError) as error:
        print(f"keras-zoo export: error: {error}", file=sys.stderr)
        return 2
    except ExportVerificationError as error:
        print(f"keras-zoo export: verification failed: {error}", file=sys.stderr)
        return 1
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="keras-zoo", description="keras_zoo model zoo.")
    commands = parser.add_subparsers(dest="command", required=True)

    list_parser = commands.add_parser("list", help="List the registered models (or the shipped recipes).")
    list_parser.add_argument("pattern", nargs="?", help="shell-style filter, e.g. 'convnext_*'")
    list_parser.add_argument("--recipes", action="store_true", help="list the shipped recipes instead")
    list_parser.set_defaults(handler=_list)

    train = commands.add_parser("train", help="Train a recipe; re-running the same command resumes it.")
    train.add_argument("recipe", help="a shipped recipe name (keras-zoo list --recipes) or a .toml file")
    train.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
        help="override a recipe value, e.g. --set train.epochs=3 (repeatable)",
    )
    train.add_argument("--runs-dir", default="saved_models", help="where run directories go (default: saved_models)")
    train.set_defaults(handler=_train)

    evaluate = commands.add_parser("evaluate", help="Evaluate a run's checkpoint on its validation data.")
    evaluate.add_argument("run", metavar="RUN", help="a run directory, e.g. saved_models/digits_convnext-20260101-120000")
    evaluate.add_argument("--checkpoint", default="best.keras", choices=("best.keras", "last.keras"))
    evaluate.set_defaults(handler=_evaluate)

    export = commands.add_parser("export", help="Export a run or .keras model to SavedModel, TFLite or ONNX, verified.")
    export.add_argument("run_or_model", metavar="RUN_OR_MODEL", help="a run directory or a .keras file")
    export.add_argument("--format", required=True, choices=("saved_model", "tflite", "onnx"))
    export.add_argument("--quantize", choices=("float16", "dynamic_int8"), help="TFLite only")
    export.add_argument("--output", help="artifact path (default: <run>/export/<checkpoint>.<format>)")
    export.add_argument("--checkpoint", help="which .keras file of a run (default: generator.keras, best.keras, last.keras)")
    export.add_argument("--backend", choices=BACKENDS, help="backend to load the model with (default: KERAS_BACKEND)")
    export.set_defaults(handler=_export)

    for command in (train, evaluate):
        command.add_argument("--backend", choices=BACKENDS, help="Keras backend (default: KERAS_BACKEND or keras' own)")
        command.add_argument("--quiet", action="store_true", help="one line per epoch instead of a progress bar")
    return parser


def _select_backend(backend):
    """Keras reads KERAS_BACKEND once, at import: set it before."""
    if backend is None:
        return
    if "keras" in sys.modules:
        import keras

        if keras.backend.backend() != backend:
            raise RuntimeError(
                f"--backend {backend}: keras is already imported with backend '{keras.backend.backend()}'."
            )
    os.environ["KERAS_BACKEND"] = backend


def main(argv=None):
    args = build_parser().parse_args(argv)
    _select_backend(getattr(args, "backend", None))
    from keras_zoo.data.tfds_datasets import DatasetNotPreparedError
    from keras_zoo.recipes.schema import RecipeError
    from keras_zoo.training.nan_guard import TrainingDivergedError

    try:
        return args.handler(args)
    except (RecipeError, DatasetNotPreparedError, TrainingDivergedError) as error:
        print(f"keras-zoo {args.command}: error: {error}", file=sys.stderr)
        return 2 if isinstance(error, RecipeError) else 1


if __name__ == "__main__":
    sys.exit(main())
