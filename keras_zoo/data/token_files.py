"""Corpora too large to hold as windows (OpenWebText's ~9B GPT-2 tokens):
tokenized once into a flat file of token ids, nanoGPT's `train.bin` /
`val.bin` (uint16 for vocabularies up to 65,536 tokens, uint32 above),
then read back as a memory map and sampled as random next-token windows,
nanoGPT's `get_batch`. A file nanoGPT's `prepare.py` wrote reads as is.

    write_token_file(texts, tokenizer, "train.bin", end_token_id=50256)   # once
    tokens = read_token_file("train.bin", vocabulary_size=50257)
    batches = RandomWindows(tokens, sequence_length=1024, batch_size=12, steps=1000, seed=0)

From a tensorflow-datasets text corpus, with a tokenizer the user has:

    python -m keras_zoo.data.token_files --dataset lm1b --split train \\
        --tokenizer gpt2/ --output data/lm1b/train.bin
"""

import argparse
import os

import keras
import numpy as np


def token_dtype(vocabulary_size):
    return np.dtype("uint16") if vocabulary_size <= 2**16 else np.dtype("uint32")


def write_token_file(texts, tokenizer, path, end_token_id, vocabulary_size=None, total=None, chunk=1024):
    """Encodes each text of `texts` (an iterable of strings), each followed
    by `end_token_id` (GPT-2's documents end in <|endoftext|>), into the
    flat token file `path`; returns the number of tokens. Written beside
    `path` and renamed when complete: a killed run leaves no partial file
    under that name. `total` (texts) sizes the progress bar."""
    vocabulary_size = vocabulary_size or tokenizer.vocabulary_size
    dtype = token_dtype(vocabulary_size)
    partial = f"{path}.partial"
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    progress = keras.utils.Progbar(total, stateful_metrics=["tokens"], unit_name="text")
    count, batch = 0, []
    with open(partial, "wb") as file:
        def flush():
            nonlocal count
            ids = [token for encoded in tokenizer.encode_batch(batch) for token in (*encoded, end_token_id)]
            np.asarray(ids, dtype=dtype).tofile(file)
            count += len(ids)
            progress.add(len(batch), [("tokens", count)])
            batch.clear()

        for text in texts:
            batch.append(text)
            if len(batch) == chunk:
                flush()
        if batch:
            flush()
    os.replace(partial, path)
    return count


def read_token_file(path, vocabulary_size):
    """The token file `path` as a read-only uint16 / uint32 memory map."""
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"No token file at {path}. Write one with `python -m keras_zoo.data.token_files` "
            "(or nanoGPT's data/openwebtext/prepare.py).")
    dtype = token_dtype(vocabulary_size)
    size = os.path.getsize(path)
    if size == 0 or size % dtype.itemsize:
        raise ValueError(f"{path} holds {size} bytes: not a file of {dtype} token ids "
                         f"(vocabulary_size={vocabulary_size}).")
    return np.memmap(path, dtype=dtype, mode="r")


def window_starts(length, sequence_length, count, seed):
    """`count` seeded random starts of (sequence_length + 1)-token windows
    in a stream of `length` tokens."""
    if length < sequence_length + 1:
        raise ValueError(f"A stream of {length} tokens holds no window of {sequence_length} + 1. "
                         f"Received: sequence_length={sequence_length}")
    return np.random.default_rng(seed).integers(0, length - sequence_length, size=count)


def spaced_starts(length, sequence_length, count):
    """Up to `count` starts of windows spread evenly over a stream of
    `length` tokens, never overlapping (fewer when it is short): held-out
    windows that count each token once."""
    room = length - sequence_length - 1  # the last start
    if room < 0:
        window_starts(length, sequence_length, 0, 0)  # the error
    count = min(count, room // sequence_length + 1)
    return (np.arange(count) * (room // max(count - 1, 1))).astype("int64")


def windows_at(tokens, starts, sequence_length):
    """(inputs, targets), int32 (len(starts), sequence_length), from the
    windows of `tokens` beginning at `starts`."""
    windows = np.stack([np.asarray(tokens[s : s + sequence_length + 1], dtype="int32") for s in starts])
    return windows[:, :-1], windows[:, 1:]


class RandomWindows(keras.utils.PyDataset):
    """`steps` batches per epoch of `batch_size` random next-token windows
    of a token stream (a memory map: only the windows are read). Batch `i`
    of epoch `e` is drawn from (seed, e, i) alone, so a resumed run sees the
    batches it would have seen."""

    def __init__(self, tokens, sequence_length, batch_size, steps, seed=0, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("sequence_length", sequence_length), ("batch_size", batch_size), ("steps", steps)):
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"`{name}` must be an int >= 1. Received: {name}={value!r}")
        window_starts(len(tokens), sequence_length, 0, seed)  # the stream holds a window
        self.tokens, self.sequence_length, self.batch_size = tokens, sequence_length, batch_size
        self.steps, self.seed, self.epoch = steps, seed, 0

    def __len__(self):
        return self.steps

    def __getitem__(self, index):
        starts = window_starts(len(self.tokens), self.sequence_length, self.batch_size,
                               (self.seed, self.epoch, index))
        return windows_at(self.tokens, starts, self.sequence_length)

    def on_epoch_end(self):
        self.epoch += 1


def load_tokenizer(path):
    """A directory holding GPT-2's `vocab.json` + `merges.txt`, or a
    `tokenizer.json`."""
    from keras_zoo.data.byte_pair_tokenizer import BytePairTokenizer

    if os.path.isdir(path):
        return BytePairTokenizer.from_gpt2_files(os.path.join(path, "vocab.json"), os.path.join(path, "merges.txt"))
    return BytePairTokenizer.load(path)


def tfds_texts(name, split, text_key="text", data_dir=None):
    """The texts of a prepared tensorflow-datasets split, and how many."""
    import tensorflow_datasets as tfds

    builder = tfds.builder(name, data_dir=data_dir)
    if not builder.is_prepared():
        raise FileNotFoundError(f"Dataset '{name}' is not prepared (looked for {builder.data_path}). Run once, "
                                f"with network access: tfds build {name}")
    dataset = builder.as_dataset(split=split)
    total = builder.info.splits[split].num_examples if split in builder.info.splits else None
    return (example[text_key].decode("utf-8") for example in dataset.as_numpy_iterator()), total


def main(argv=None):
    parser = argparse.ArgumentParser(description="Tokenize a tensorflow-datasets text split into a token file.")
    parser.add_argument("--dataset", required=True, help="a tfds name, e.g. lm1b, wiki40b/en, huggingface:openwebtext")
    parser.add_argument("--split", default="train", help="a tfds split, e.g. train or 'train[:99%%]'")
    parser.add_argument("--text-key", default="text")
    parser.add_argument("--data-dir")
    parser.add_argument("--tokenizer", required=True, help="a directory with vocab.json + merges.txt, or tokenizer.json")
    parser.add_argument("--end-token", default="<|endoftext|>")
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    tokenizer = load_tokenizer(args.tokenizer)
    texts, total = tfds_texts(args.dataset, args.split, args.text_key, args.data_dir)
    count = write_token_file(texts, tokenizer, args.output, tokenizer.token_id(args.end_token), total=total)
    print(f"{args.output}: {count} tokens ({token_dtype(tokenizer.vocabulary_size)})")


if __name__ == "__main__":
    main()
