"""Transformer base (N=6, d_model 512, d_ff 2048, h 8, shared 37,000-word
vocabulary tied to the output): training tokens/s (forward, backward, Adam
step) and greedy generation tokens/s of keras_zoo, an equal stack of
keras-hub's TransformerEncoder / TransformerDecoder layers, and
`torch.nn.Transformer`, each backend and implementation in its own process.

    python -m benchmarks.transformer                    # all rows
    python -m benchmarks.transformer --device cpu --repeats 3
    python -m benchmarks.transformer --rows keras_zoo/jax keras_hub/jax torch.nn/eager

Rows are `implementation/backend`. Training counts target tokens (batch x
target length, no padding); generation encodes each source once and counts
the generated tokens (batch x new tokens; keras_zoo's row checks that no
sequence reached its end token early, so every row generates the full length). keras_zoo decodes with
its key/value cache, compiled on JAX and TensorFlow (`keras_zoo:compile/torch`:
training through `torch.compile`, and each generated token one compiled call;
the plain torch row is eager); keras-hub's layers and
torch.nn.Transformer come with no decoding loop, so their rows run the loop
their own examples teach, which recomputes the decoder over the prefix at
each step: keras-io's "English-to-Spanish translation with KerasHub"
(`keras_hub.samplers.GreedySampler`, here inside `jax.jit` /
`tf.function` as keras-hub's models compile their `generate`) and the
PyTorch "Language Translation with nn.Transformer" tutorial's
`greedy_decode` (eager).
"""

import argparse
import math
import os
import sys

from benchmarks import harness

SIZES = {"num_layers": 6, "hidden_dim": 512, "intermediate_dim": 2048, "num_heads": 8, "dropout": 0.1}
DEFAULT_ROWS = [
    "keras_zoo/jax", "keras_hub/jax",
    "keras_zoo/tensorflow", "keras_hub/tensorflow",
    "keras_zoo/torch", "keras_zoo:compile/torch", "keras_hub/torch",
    "torch.nn/eager",
]
YARDSTICK = "torch.nn/eager"
START = 1
END = 2  # with the benchmark's seed-0 weights, greedy never picks it (checked at every call)


def _batch(args):
    import numpy as np

    rng = np.random.default_rng(0)
    source = rng.integers(3, args.vocabulary_size, (args.batch_size, args.length)).astype("int32")
    target = rng.integers(3, args.vocabulary_size, (args.batch_size, args.length + 1)).astype("int32")
    target[:, 0] = START
    return source, target[:, :-1], target[:, 1:]


# ---------------------------------------------------------------- keras rows
def keras_zoo_model(vocabulary_size):
    import keras_zoo

    model = keras_zoo.create_model("transformer_base", vocabulary_size=vocabulary_size, seed=0)

    def generate(source, new_tokens):
        # The end token must be a word of the vocabulary; the rate counts full
        # lengths, so a run where any sequence ended early is refused.
        ids = model.generate(source, max_length=new_tokens + 1, start_token_id=START, end_token_id=END)
        if (ids[:, 1:] == 0).any():
            raise RuntimeError(f"a sequence generated the end token {END} before {new_tokens} tokens: pick another")
        return ids

    return model, generate


def keras_hub_model(vocabulary_size):
    """The paper's stack from keras-hub layers: shared embedding tied to the
    output (ReversibleEmbedding), scaled by sqrt(d_model), plus sinusoidal
    positions, post-norm encoder and decoder layers."""
    import keras
    import keras_hub
    from keras import ops

    d = SIZES["hidden_dim"]
    embedding = keras_hub.layers.ReversibleEmbedding(
        vocabulary_size, d, tie_weights=True, name="embedding",
        embeddings_initializer=keras.initializers.RandomNormal(stddev=d**-0.5),  # as keras_zoo's
    )
    position = keras_hub.layers.SinePositionEncoding()

    def embed(ids):
        x = embedding(ids) * math.sqrt(d)
        return keras.layers.Dropout(SIZES["dropout"])(x + position(x))

    def layer_args():
        return dict(intermediate_dim=SIZES["intermediate_dim"], num_heads=SIZES["num_heads"], dropout=SIZES["dropout"])

    source = keras.Input((None,), dtype="int32", name="source")
    encoded = embed(source)
    for _ in range(SIZES["num_layers"]):
        encoded = keras_hub.layers.TransformerEncoder(**layer_args())(encoded, padding_mask=ops.not_equal(source, 0))
    encoder = keras.Model(source, encoded)

    target = keras.Input((None,), dtype="int32", name="target")
    memory = keras.Input((None, d), name="memory")
    memory_source = keras.Input((None,), dtype="int32", name="memory_source")
    decoded = embed(target)
    for _ in range(SIZES["num_layers"]):
        decoded = keras_hub.layers.TransformerDecoder(**layer_args())(
            decoded, memory, decoder_padding_mask=ops.not_equal(target, 0),
            encoder_padding_mask=ops.not_equal(memory_source, 0),
        )
    decoder = keras.Model([target, memory, memory_source], embedding(decoded, reverse=True))
    logits = decoder([target, encoder(source), source])
    model = keras.Model({"source": source, "target": target}, logits)

    sampler = keras_hub.samplers.GreedySampler()
    searches = {}

    def search(source, new_tokens):
        memory = encoder(source, training=False)
        prompt = ops.concatenate(
            [ops.full((ops.shape(source)[0], 1), START, "int32"),
             ops.zeros((ops.shape(source)[0], new_tokens), "int32")], axis=1)

        def next(prompt, cache, index):  # keras-io: the whole prefix again at each step
            logits = decoder([prompt, memory, source], training=False)[:, index - 1, :]
            return logits, None, cache

        return sampler(next, prompt, index=1)

    def generate(source, new_tokens):
        if new_tokens not in searches:
            searches[new_tokens] = _compiled(lambda source: search(source, new_tokens))
        return ops.convert_to_numpy(searches[new_tokens](ops.convert_to_tensor(source)))

    return model, generate


def _compiled(function):
    import keras

    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        return jax.jit(function)  # weights enter as constants: compiled once per length
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.function(function)
    return function


def keras_phases(implementation, backend, args):
    os.environ["KERAS_BACKEND"] = backend
    import keras

    build = keras_zoo_model if implementation.split(":")[0] == "keras_zoo" else keras_hub_model
    model, generate = build(args.vocabulary_size)
    model.compile(  # keras_zoo:compile/torch: training and generation through torch.compile
        optimizer=keras.optimizers.Adam(1e-4, beta_2=0.98, epsilon=1e-9),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        jit_compile=harness.keras_jit_compile(implementation, backend),
    )
    source, target_in, labels = _batch(args)
    return {
        "train": lambda: model.train_on_batch({"source": source, "target": target_in}, labels),
        "generate": lambda: generate(source, args.length),  # returns numpy: synchronised
    }


# ---------------------------------------------------------------- torch.nn row
def torch_phases(args):
    import torch
    from torch import nn

    device = "cuda" if torch.cuda.is_available() else "cpu"
    d = SIZES["hidden_dim"]

    class TorchTransformer(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(args.vocabulary_size, d, padding_idx=0)
            # N(0, d^-1/2) as keras_zoo's tied embedding. nn.Embedding's N(0, 1),
            # tied to the output, gives logits of std ~sqrt(d): the softmax
            # gradient fills with denormals and the CPU matmuls of the output
            # layer's backward take 1.7 s each instead of ~0.05 s.
            nn.init.normal_(self.embedding.weight, std=d**-0.5)
            self.dropout = nn.Dropout(SIZES["dropout"])
            position = torch.arange(4 * args.length)[:, None] / 10000 ** (torch.arange(0, d, 2) / d)
            self.register_buffer("positions", torch.cat([position.sin(), position.cos()], -1))
            self.transformer = nn.Transformer(
                d, SIZES["num_heads"], SIZES["num_layers"], SIZES["num_layers"], SIZES["intermediate_dim"],
                SIZES["dropout"], batch_first=True,
            )

        def embed(self, ids):
            x = self.embedding(ids) * math.sqrt(d)
            return self.dropout(x + self.positions[: ids.shape[1]])

        def encode(self, source):
            return self.transformer.encoder(self.embed(source), src_key_padding_mask=source == 0)

        def decode(self, target, memory, source):
            causal = nn.Transformer.generate_square_subsequent_mask(target.shape[1], device=target.device)
            out = self.transformer.decoder(self.embed(target), memory, tgt_mask=causal, tgt_is_causal=True,
                                           memory_key_padding_mask=source == 0)
            return nn.functional.linear(out, self.embedding.weight)  # tied output projection

        def forward(self, source, target):
            return self.decode(target, self.encode(source), source)

    model = TorchTransformer().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4, betas=(0.9, 0.98), eps=1e-9)
    loss_fn = nn.CrossEntropyLoss()
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    source, target_in, labels = (torch.as_tensor(a, dtype=torch.long, device=device) for a in _batch(args))

    def train():
        model.train()
        optimizer.zero_grad(set_to_none=True)
        logits = model(source, target_in)
        loss_fn(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1)).backward()
        optimizer.step()
        sync()

    def generate():  # the PyTorch tutorial's greedy_decode, batched
        model.eval()
        with torch.inference_mode():
            memory = model.encode(source)
            ids = torch.full((source.shape[0], 1), START, dtype=torch.long, device=device)
            for _ in range(args.length):
                next_ids = model.decode(ids, memory, source)[:, -1].argmax(-1)
                ids = torch.cat([ids, next_ids[:, None]], 1)
        sync()

    return {"train": train, "generate": generate}


def worker(row, args):
    implementation, variant = row.split("/")
    harness.serve_built(
        lambda: torch_phases(args) if implementation == "torch.nn" else keras_phases(implementation, variant, args))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    harness.standard_arguments(parser, DEFAULT_ROWS, "benchmarks/results/transformer.json")
    parser.add_argument("--phases", nargs="+", default=["train", "generate"], choices=["train", "generate"])
    parser.add_argument("--batch-size", type=int, default=8, help="sentences per batch")
    parser.add_argument("--length", type=int, default=32, help="source and target tokens; generated tokens")
    parser.add_argument("--vocabulary-size", type=int, default=37000, help="paper: 37,000 shared BPE tokens")
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args)
    tokens = args.batch_size * args.length
    title = (f"Transformer base (vocabulary {args.vocabulary_size}), batch {args.batch_size} x {args.length} tokens, "
             "float32")
    report = harness.measure(
        "benchmarks.transformer", title, args, args.phases,
        rates={"train": (tokens, "tokens/s"), "generate": (tokens, "tokens/s")},
        yardstick=YARDSTICK, group_of=lambda row: "torch" if row == YARDSTICK else row.split("/")[1],
        worker_args=_worker_args(args),
    )
    print(harness.format_rates(report))


def _worker_args(args):
    return ["--batch-size", str(args.batch_size), "--length", str(args.length),
            "--vocabulary-size", str(args.vocabulary_size)]


if __name__ == "__main__":
    sys.exit(main())
