"""TED talk translation through tensorflow-datasets
(`ted_hrlr_translate/pt_to_en` and its siblings; Qi et al., 2018), with a
shared BPE vocabulary trained offline from the training split.

Needs the tfds data (downloaded once by tfds, or prepared in `data_dir`).
"""

import os

import numpy as np

from keras_zoo.data.subword_tokenizer import END, PAD, START, SubwordTokenizer


def _texts(dataset, key):
    return [example[key].decode("utf-8") for example in dataset]


def load_ted_split_texts(pair="pt_to_en", data_dir=None):
    """{"train"|"validation"|"test": (source texts, target texts)}."""
    import tensorflow_datasets as tfds

    source_key, target_key = pair.split("_to_")
    builder = tfds.builder(f"ted_hrlr_translate/{pair}", data_dir=data_dir or None)
    builder.download_and_prepare()
    splits = {}
    for name in ("train", "validation", "test"):
        examples = list(tfds.as_numpy(builder.as_dataset(split=name)))
        splits[name] = (_texts(examples, source_key), _texts(examples, target_key))
    return splits


def encode_pairs(tokenizer, sources, targets, max_tokens, drop_long=True):
    """Texts -> {"source": (N, max_tokens), "target": (N, max_tokens + 2)}
    int32 ids (target with start and end). Long pairs are dropped, or
    truncated with `drop_long=False` (evaluation keeps every sentence)."""
    source_rows, target_rows, kept = [], [], []
    for i, (source, target) in enumerate(zip(sources, targets)):
        source_ids, target_ids = tokenizer.encode(source), tokenizer.encode(target)
        if drop_long and max(len(source_ids), len(target_ids)) > max_tokens:
            continue
        source_ids, target_ids = source_ids[:max_tokens], target_ids[:max_tokens]
        source_rows.append(source_ids + [PAD] * (max_tokens - len(source_ids)))
        target_ids = [START] + target_ids + [END]
        target_rows.append(target_ids + [PAD] * (max_tokens + 2 - len(target_ids)))
        kept.append(i)
    return {"source": np.array(source_rows, "int32").reshape(-1, max_tokens),
            "target": np.array(target_rows, "int32").reshape(-1, max_tokens + 2),
            "index": np.array(kept, "int64")}


def load_ted_translation(pair="pt_to_en", vocabulary_size=8000, max_tokens=64,
                         data_dir=None, tokenizer_path=None, split_texts=None):
    """Returns (splits, tokenizer). `splits[name]` holds "source", "target"
    ids and "references" (target texts); the tokenizer is trained on the
    training split's two languages, or loaded from / saved to
    `tokenizer_path`. `split_texts` replaces the tfds download (tests)."""
    texts = split_texts or load_ted_split_texts(pair, data_dir)
    if tokenizer_path and os.path.exists(tokenizer_path):
        tokenizer = SubwordTokenizer.load(tokenizer_path)
    else:
        train_sources, train_targets = texts["train"]
        tokenizer = SubwordTokenizer.train(train_sources + train_targets, vocabulary_size)
        if tokenizer_path:
            tokenizer.save(tokenizer_path)
    splits = {}
    for name, (sources, targets) in texts.items():
        split = encode_pairs(tokenizer, sources, targets, max_tokens, drop_long=(name == "train"))
        split["references"] = [targets[i] for i in split["index"]]
        splits[name] = split
    return splits, tokenizer
