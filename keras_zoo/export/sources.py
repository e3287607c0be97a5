"""What `keras-zoo export` accepts: a run directory or a `.keras` file, and
where the artifact goes by default."""

import os

# A GAN run's exportable network comes first; classifier runs have best/last.
RUN_CHECKPOINTS = ("generator.keras", "best.keras", "last.keras")


def resolve_keras_file(run_or_model, checkpoint=None):
    """The `.keras` file to export from a run directory or a `.keras` path."""
    path = os.fspath(run_or_model)
    if os.path.isdir(path):
        names = (checkpoint,) if checkpoint else RUN_CHECKPOINTS
        for name in names:
            candidate = os.path.join(path, name)
            if os.path.isfile(candidate):
                return candidate
        raise FileNotFoundError(
            f"Run directory '{path}' holds none of {', '.join(names)}; is the run finished? "
            f"It contains: {', '.join(sorted(os.listdir(path))) or 'nothing'}."
        )
    if path.endswith(".keras") and os.path.isfile(path):
        return path
    raise FileNotFoundError(
        f"'{path}' is neither a run directory (saved_models/<recipe>-<timestamp>/ with "
        f"{' / '.join(RUN_CHECKPOINTS)}) nor an existing .keras file."
    )


def default_output_path(keras_file, export_format, quantize=None):
    """`<run>/export/<checkpoint>[_<quantize>]<suffix>` for a run's checkpoint,
    `<file stem>[_<quantize>]<suffix>` beside any other `.keras` file;
    SavedModels (directories) end in `_saved_model`."""
    folder, name = os.path.split(os.path.abspath(keras_file))
    stem = name[: -len(".keras")]
    if any(name == checkpoint for checkpoint in RUN_CHECKPOINTS):
        folder = os.path.join(folder, "export")
    if quantize:
        stem = f"{stem}_{quantize}"
    suffix = export_format.suffix or "_saved_model"
    return os.path.join(folder, stem + suffix)
