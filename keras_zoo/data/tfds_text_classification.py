"""Text classification datasets through tensorflow-datasets (GLUE's SST-2,
IMDB reviews), read from data already prepared on disk, tokenized into BERT's
`[CLS] text [SEP]` rows.

Each dataset's three splits: the model is fitted on `train`, `best.keras`
chosen on `validation` (a slice held out of tfds' training split, so that
the checkpoint is never chosen on the reported split), and the result reported
on `test`: GLUE's dev set for SST-2 (its test labels are hidden), IMDB's
25,000 test reviews.
"""

import numpy as np

from keras_zoo.data.tfds_datasets import tfds_builder

# name: (text feature, {our split: tfds split}).
TFDS_TEXT_DATASETS = {
    "glue/sst2": ("sentence", {"train": "train[:95%]", "validation": "train[95%:]", "test": "validation"}),
    "imdb_reviews": ("text", {"train": "train[:90%]", "validation": "train[90%:]", "test": "test"}),
}


def tfds_texts(name, data_dir=None):
    """({split: list of str}, {split: int labels}, num_classes), from disk only."""
    if name not in TFDS_TEXT_DATASETS:
        raise ValueError(f"Unknown text dataset '{name}'. Valid: {', '.join(TFDS_TEXT_DATASETS)}")
    import tensorflow_datasets as tfds

    feature, splits = TFDS_TEXT_DATASETS[name]
    builder = tfds_builder(name, data_dir)
    texts, labels = {}, {}
    for split, tfds_split in splits.items():
        examples = tfds.as_numpy(builder.as_dataset(split=tfds_split, shuffle_files=False))
        rows = [(example[feature].decode("utf-8"), int(example["label"])) for example in examples]
        if not rows:
            raise ValueError(f"The '{tfds_split}' split of '{name}' is empty in {builder.data_path}.")
        texts[split] = [text for text, _ in rows]
        labels[split] = np.array([label for _, label in rows], dtype="int32")
    return texts, labels, builder.info.features["label"].num_classes


def classification_rows(tokenizer, texts, sequence_length):
    """int32 (N, sequence_length) rows `[CLS] pieces [SEP] [PAD]...`, a text
    longer than the row cut after its first `sequence_length - 2` pieces (as
    Hugging Face's `truncation=True`)."""
    if sequence_length < 3:
        raise ValueError(f"A row holds [CLS], [SEP] and at least one piece: `sequence_length` must be >= 3. "
                         f"Received: sequence_length={sequence_length}")
    rows = np.full((len(texts), sequence_length), tokenizer.pad_token_id, dtype="int32")
    body = sequence_length - 2
    for index, ids in enumerate(tokenizer.encode_batch(texts)):  # [CLS] pieces [SEP]
        pieces = ids[1:-1][:body]
        rows[index, 0], rows[index, 1 : len(pieces) + 1], rows[index, len(pieces) + 1] = (
            tokenizer.cls_token_id, pieces, tokenizer.sep_token_id)
    return rows
