"""Datasets read through tensorflow-datasets, only from data already prepared
on disk: training never downloads, and a missing dataset gives one message
saying how to prepare it (instead of a stack trace or a hang of retries)."""

# tfds names and the split used for validation.
TFDS_VALIDATION_SPLITS = {"cifar10": "test", "imagenette": "validation", "imagenet2012": "validation",
                          "tiny_shakespeare": "validation", "glue/sst2": "validation", "imdb_reviews": "test"}
# Datasets whose files the user must download by hand (licence).
_MANUAL = {
    "imagenet2012": (
        "Register at https://image-net.org/download-images, download "
        "ILSVRC2012_img_train.tar and ILSVRC2012_img_val.tar into a folder MANUAL_DIR, then run\n"
        "    tfds build imagenet2012 --manual_dir MANUAL_DIR --data_dir {data_dir}"
    ),
}


class DatasetNotPreparedError(RuntimeError):
    """The dataset is not on disk; the message says how to prepare it."""


def tfds_builder(name, data_dir=None):
    """The prepared tfds builder for `name`, or `DatasetNotPreparedError`."""
    import tensorflow_datasets as tfds

    if name not in TFDS_VALIDATION_SPLITS:
        raise ValueError(f"Unknown dataset '{name}'. Valid: {', '.join(TFDS_VALIDATION_SPLITS)}")
    builder = tfds.builder(name, data_dir=data_dir or None)
    if not builder.is_prepared():
        where = data_dir or "~/tensorflow_datasets"
        how = _MANUAL.get(name, "Run once, with network access:\n    tfds build {name} --data_dir {data_dir}")
        raise DatasetNotPreparedError(
            f"Dataset '{name}' is not prepared in {where} (looked for {builder.data_path}). "
            + how.format(name=name, data_dir=where)
            + "\nthen train again (set data.data_dir to that folder if it is not the default)."
        )
    return builder


def load_tfds_split(name, split, data_dir=None):
    """`(tf.data.Dataset of (uint8 image, int label), num_examples, num_classes)`,
    read from disk only."""
    builder = tfds_builder(name, data_dir)
    dataset = builder.as_dataset(split=split, as_supervised=True, shuffle_files=split == "train")
    info = builder.info
    if split in info.splits:
        num_examples = info.splits[split].num_examples
    else:  # info without split statistics (tfds.testing.mock_data): count
        num_examples = int(dataset.reduce(0, lambda count, _: count + 1))
    return dataset, num_examples, info.features["label"].num_classes
