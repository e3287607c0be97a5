"""BERT (bert_base unless told otherwise): masked-LM training tokens/s
(forward, backward, AdamW step) and inference tokens/s of keras_zoo,
keras-hub's BertMaskedLM and Hugging Face's BertForMaskedLM, each backend
and implementation in its own process, the rows of one backend interleaved
with Hugging Face eager.

    python -m benchmarks.bert                                        # all rows, GPU when present
    python -m benchmarks.bert --device cpu --num-layers 2 --batch-sizes 16 --repeats 3

Rows are `implementation/backend`: `keras_zoo` (what the recipes build:
`FusedAdamW`), `keras_zoo:compile/torch` (through `torch.compile`; the
plain torch row is eager), `keras_hub` (Keras' AdamW), `hf/eager` and
`hf/compile` (`torch.compile(model)`, `torch.optim.AdamW`). Every row does
the same work: logits at all T positions of every row (keras-hub's
`mask_positions` are given as 0..T-1; in pretraining it computes only the
masked 15%, which a keras_zoo user does by the loss's sample weights, not by
a smaller head), sequences of `--sequence-length` random ids with a padding
mask of ones and two segments, dropout off. Training counts batch x
sequence tokens, inference the same tokens through the forward pass. The
keras-hub rows need `pip install --no-deps keras-hub` (benchmarks/README.md).
"""

import argparse
import os
import sys

from benchmarks import harness

DEFAULT_ROWS = [
    "keras_zoo/jax", "keras_hub/jax",
    "keras_zoo/tensorflow", "keras_hub/tensorflow",
    "keras_zoo/torch", "keras_zoo:compile/torch", "keras_hub/torch",
    "hf/eager", "hf/compile",
]
YARDSTICK = "hf/eager"


def sizes(args):
    # keras_zoo's variants come with Keras: on the torch backend in the parent
    # and the torch rows, since TensorFlow loaded before torch crashes torch.
    os.environ.setdefault("KERAS_BACKEND", "torch")
    from keras_zoo.models.bert.bert_variants import BERT_VARIANTS

    config = {"vocabulary_size": 30522, "max_sequence_length": 512, "num_segments": 2,
              **BERT_VARIANTS[args.model]}
    config.setdefault("intermediate_dim", 4 * config["hidden_dim"])
    if args.num_layers:
        config["num_layers"] = args.num_layers
    return config


def phase_names(args):
    return [f"{kind}_t{args.sequence_length}_b{batch}" for kind in ("train", "infer") for batch in args.batch_sizes]


def rates(args):
    return {name: (int(name.rsplit("_b", 1)[1]) * args.sequence_length, "tokens/s") for name in phase_names(args)}


def _data(args, vocabulary_size, batch):
    import numpy as np

    rng = np.random.default_rng(batch)
    ids = rng.integers(1, vocabulary_size, (batch, args.sequence_length)).astype("int32")
    segments = (np.arange(args.sequence_length)[None, :] >= args.sequence_length // 2).repeat(batch, 0)
    labels = rng.integers(1, vocabulary_size, (batch, args.sequence_length)).astype("int32")
    return ids, segments.astype("int32"), np.ones_like(ids, bool), labels


# ---------------------------------------------------------------- keras rows
def keras_phases(implementation, backend, args):
    os.environ["KERAS_BACKEND"] = backend
    import keras
    import numpy as np

    if keras.backend.backend() != backend:  # Keras was imported before the row chose its backend
        raise RuntimeError(f"Keras runs on {keras.backend.backend()}, not {backend}")
    if implementation.split(":")[0] not in ("keras_zoo", "keras_hub"):
        raise ValueError(f"Unknown row '{implementation}/{backend}'. Valid: {', '.join(DEFAULT_ROWS)}")
    config = sizes(args)
    jit_compile = harness.keras_jit_compile(implementation, backend)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    if implementation.split(":")[0] == "keras_zoo":
        import keras_zoo
        from keras_zoo.optimizers import FusedAdamW

        optimizer = FusedAdamW(1e-4, weight_decay=0.01, epsilon=1e-6)
        model = keras_zoo.create_model(args.model, **config, dropout=0.0, attention_dropout=0.0)

        def inputs(ids, segments, mask):
            return {"token_ids": ids, "segment_ids": segments, "padding_mask": mask}
    else:
        import keras_hub

        optimizer = keras.optimizers.AdamW(1e-4, weight_decay=0.01, epsilon=1e-6)
        backbone = keras_hub.models.BertBackbone(
            vocabulary_size=config["vocabulary_size"], num_layers=config["num_layers"],
            num_heads=config["num_heads"], hidden_dim=config["hidden_dim"],
            intermediate_dim=config["intermediate_dim"], dropout=0.0,
            max_sequence_length=config["max_sequence_length"], num_segments=config["num_segments"])
        model = keras_hub.models.BertMaskedLM(backbone=backbone, preprocessor=None)

        def inputs(ids, segments, mask):  # logits at every position, as the other rows
            positions = np.tile(np.arange(ids.shape[1], dtype="int32"), (ids.shape[0], 1))
            return {"token_ids": ids, "segment_ids": segments, "padding_mask": mask, "mask_positions": positions}
    model.compile(optimizer=optimizer, loss=loss, jit_compile=jit_compile)
    phases = {}
    for batch in args.batch_sizes:
        ids, segments, mask, labels = _data(args, config["vocabulary_size"], batch)
        x = inputs(ids, segments, mask)
        phases[f"train_t{args.sequence_length}_b{batch}"] = (
            lambda x=x, labels=labels: model.train_on_batch(x, labels))  # returns numpy: synchronised
        phases[f"infer_t{args.sequence_length}_b{batch}"] = (
            lambda x=x: model.predict_on_batch(x))
    return phases


# ---------------------------------------------------------------- torch rows
def torch_phases(mode, args):
    os.environ["KERAS_BACKEND"] = "torch"
    import torch
    import transformers

    device = "cuda" if torch.cuda.is_available() else "cpu"
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    config = sizes(args)
    hf_config = transformers.BertConfig(
        vocab_size=config["vocabulary_size"], hidden_size=config["hidden_dim"],
        num_hidden_layers=config["num_layers"], num_attention_heads=config["num_heads"],
        intermediate_size=config["intermediate_dim"], max_position_embeddings=config["max_sequence_length"],
        type_vocab_size=config["num_segments"], hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    model = transformers.BertForMaskedLM(hf_config).to(device)
    forward = torch.compile(model) if mode == "compile" else model
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01, eps=1e-6)
    loss_fn = torch.nn.CrossEntropyLoss()
    phases = {}
    for batch in args.batch_sizes:
        arrays = _data(args, config["vocabulary_size"], batch)
        ids, segments, mask, labels = (torch.as_tensor(a, device=device).long() for a in arrays)

        def train(ids=ids, segments=segments, mask=mask, labels=labels):
            model.train()
            optimizer.zero_grad(set_to_none=True)
            logits = forward(input_ids=ids, token_type_ids=segments, attention_mask=mask).logits
            loss_fn(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1)).backward()
            optimizer.step()
            sync()

        def infer(ids=ids, segments=segments, mask=mask):
            model.eval()
            with torch.inference_mode():
                forward(input_ids=ids, token_type_ids=segments, attention_mask=mask).logits.cpu()
            sync()

        phases[f"train_t{args.sequence_length}_b{batch}"] = train
        phases[f"infer_t{args.sequence_length}_b{batch}"] = infer
    return phases


def worker(row, args):
    implementation, variant = row.split("/")
    if implementation == "hf":
        harness.serve_built(lambda: torch_phases(variant, args))
    else:
        harness.serve_built(lambda: keras_phases(implementation, variant, args))


def group_of(row):
    implementation, variant = row.split("/")
    return "torch" if implementation == "hf" else variant


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    harness.standard_arguments(parser, DEFAULT_ROWS, "benchmarks/results/bert.json")
    parser.add_argument("--model", default="bert_base", help="a BERT variant of keras_zoo (BERT_VARIANTS)")
    parser.add_argument("--num-layers", type=int, help="fewer blocks than the variant's (a quick look)")
    parser.add_argument("--sequence-length", type=int, default=128)
    parser.add_argument("--batch-sizes", nargs="+", type=int, default=[16, 32])
    parser.add_argument("--phases", nargs="+", choices=["train", "infer"], default=["train", "infer"])
    args = parser.parse_args()
    if args.worker:  # before anything imports Keras: the row chooses its backend
        return worker(args.worker, args)
    os.environ["KERAS_BACKEND"] = "torch"  # the parent only reads the variants (see `sizes`)
    from keras_zoo.models.bert.bert_variants import BERT_VARIANTS

    if args.model not in BERT_VARIANTS:
        parser.error(f"Unknown --model {args.model!r}. Valid: {', '.join(sorted(BERT_VARIANTS))}")
    phases = [p for p in phase_names(args) if p.split("_")[0] in args.phases]
    config = sizes(args)
    title = (f"BERT {args.model} masked LM ({config['num_layers']} blocks, width {config['hidden_dim']}, "
             f"vocabulary {config['vocabulary_size']}) float32")
    worker_args = ["--model", args.model, "--sequence-length", str(args.sequence_length),
                   "--batch-sizes", *map(str, args.batch_sizes)]
    if args.num_layers:
        worker_args += ["--num-layers", str(args.num_layers)]
    report = harness.measure("benchmarks.bert", title, args, phases, rates(args), yardstick=YARDSTICK,
                             group_of=group_of, worker_args=worker_args)
    print(harness.format_rates(report))


if __name__ == "__main__":
    sys.exit(main())
