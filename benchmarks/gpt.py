"""GPT-2 (124M unless told otherwise): training tokens/s (forward, backward,
AdamW step) and cached generation tokens/s of keras_zoo, keras-hub's
GPT2CausalLM, Hugging Face's GPT2LMHeadModel and nanoGPT's model (written
out below), each backend and implementation in its own process, the rows of
one backend interleaved with Hugging Face eager.

    python -m benchmarks.gpt                                       # all rows, GPU when present
    python -m benchmarks.gpt --device cpu --repeats 3
    python -m benchmarks.gpt --rows keras_zoo/jax keras_hub/jax hf/eager --num-layers 2   # a quick look

Rows are `implementation/backend`:
- `keras_zoo` with `FusedAdamW` (what the recipes build: Keras' AdamW update,
  one fused kernel per variable on PyTorch); `keras_zoo:compile/torch` trains
  through `torch.compile` and generates one compiled call per token, the
  plain torch row is eager;
- `keras_hub`, `GPT2CausalLM` with Keras' AdamW;
- `hf/eager`, `hf/compile` (`model.forward = torch.compile(model.forward)`,
  generation with a static cache: Hugging Face's recipe);
- `nanogpt/eager`, `nanogpt/compile` (nanoGPT's `model.py`); the torch rows
  take `torch.optim.AdamW`.
Training counts batch x sequence tokens; generation counts batch x new
tokens after a prompt of `--prompt-length` random tokens, greedy, every row
made to generate all of them (no end token: keras-hub `stop_token_ids=None`,
Hugging Face `min_new_tokens`). nanoGPT's `generate` keeps no cache (each
token recomputes the whole prefix), so its rows time training only. Dropout
is off everywhere. A group's rows stay alive together: on a small machine
`--rows` takes fewer at once. keras-hub rows need
`pip install --no-deps keras-hub` (benchmarks/README.md).
"""

import argparse
import math
import os
import sys

from benchmarks import harness

DEFAULT_ROWS = [
    "keras_zoo/jax", "keras_hub/jax",
    "keras_zoo/tensorflow", "keras_hub/tensorflow",
    "keras_zoo/torch", "keras_zoo:compile/torch", "keras_hub/torch",
    "hf/eager", "hf/compile", "nanogpt/eager",
]
YARDSTICK = "hf/eager"


def sizes(args):
    # keras_zoo's variants come with Keras: on the torch backend in the parent
    # and the torch rows, since TensorFlow loaded before torch crashes torch.
    os.environ.setdefault("KERAS_BACKEND", "torch")
    from keras_zoo.models.gpt.gpt_variants import GPT_VARIANTS

    config = dict(GPT_VARIANTS[args.model])
    if args.num_layers:
        config["num_layers"] = args.num_layers
    return config


def phase_names(args):
    train = [f"train_t{args.sequence_length}_b{args.batch_size}"]
    return train + [f"generate_b{batch}" for batch in args.generate_batch_sizes]


def rates(args):
    out = {phase_names(args)[0]: (args.batch_size * args.sequence_length, "tokens/s")}
    out.update({f"generate_b{b}": (b * args.new_tokens, "tokens/s") for b in args.generate_batch_sizes})
    return out


def _data(args, vocabulary_size):
    import numpy as np

    rng = np.random.default_rng(0)
    tokens = rng.integers(0, vocabulary_size, (args.batch_size, args.sequence_length + 1)).astype("int32")
    prompts = {b: rng.integers(0, vocabulary_size, (b, args.prompt_length)).astype("int32")
               for b in args.generate_batch_sizes}
    return tokens[:, :-1], tokens[:, 1:], prompts


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
    x, y, prompts = _data(args, config["vocabulary_size"])
    jit_compile = harness.keras_jit_compile(implementation, backend)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    if implementation.split(":")[0] == "keras_zoo":
        import keras_zoo
        from keras_zoo.optimizers import FusedAdamW

        # What the recipes build: Keras' AdamW update, one fused kernel per variable on PyTorch.
        optimizer = FusedAdamW(6e-4, beta_2=0.95, weight_decay=0.1)
        model = keras_zoo.create_model(args.model, **config)
        model.compile(optimizer=optimizer, loss=loss, jit_compile=jit_compile)
        train_x = x

        def generate(prompt):
            ids = model.generate(prompt, args.new_tokens)  # no end token: every row runs the full length
            assert ids.shape[1] == args.prompt_length + args.new_tokens
    else:
        import keras_hub

        optimizer = keras.optimizers.AdamW(6e-4, beta_2=0.95, weight_decay=0.1)
        backbone = keras_hub.models.GPT2Backbone(
            vocabulary_size=config["vocabulary_size"], num_layers=config["num_layers"],
            num_heads=config["num_heads"], hidden_dim=config["hidden_dim"], intermediate_dim=4 * config["hidden_dim"],
            max_sequence_length=config["max_sequence_length"], dropout=0.0,
        )
        model = keras_hub.models.GPT2CausalLM(backbone=backbone, preprocessor=None)
        model.compile(optimizer=optimizer, loss=loss, sampler="greedy", jit_compile=jit_compile)
        train_x = {"token_ids": x, "padding_mask": np.ones_like(x, bool)}
        length = args.prompt_length + args.new_tokens

        def generate(prompt):  # without a preprocessor: the ids padded to the full length, the mask the prompt
            ids = np.zeros((prompt.shape[0], length), "int32")
            ids[:, : prompt.shape[1]] = prompt
            mask = np.zeros_like(ids, bool)
            mask[:, : prompt.shape[1]] = True
            out = model.generate({"token_ids": ids, "padding_mask": mask}, stop_token_ids=None)
            assert np.asarray(out["padding_mask"]).all()  # every position generated

    phases = {phase_names(args)[0]: lambda: model.train_on_batch(train_x, y)}  # returns numpy: synchronised
    for batch, prompt in prompts.items():
        phases[f"generate_b{batch}"] = lambda prompt=prompt: generate(prompt)
    return phases


# ---------------------------------------------------------------- torch rows
def nanogpt_model(config):
    """nanoGPT's model.py (Karpathy, 2023), its training path: pre-norm
    blocks, fused scaled-dot-product attention, exact GELU, tied head."""
    import torch
    from torch import nn
    from torch.nn import functional as F

    width, heads = config["hidden_dim"], config["num_heads"]

    class CausalSelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn = nn.Linear(width, 3 * width)
            self.c_proj = nn.Linear(width, width)

        def forward(self, x):
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(width, dim=2)
            q, k, v = (t.view(B, T, heads, C // heads).transpose(1, 2) for t in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1, self.ln_2 = nn.LayerNorm(width), nn.LayerNorm(width)
            self.attn = CausalSelfAttention()
            self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte = nn.Embedding(config["vocabulary_size"], width)
            self.wpe = nn.Embedding(config["max_sequence_length"], width)
            self.h = nn.ModuleList(Block() for _ in range(config["num_layers"]))
            self.ln_f = nn.LayerNorm(width)
            self.lm_head = nn.Linear(width, config["vocabulary_size"], bias=False)
            self.lm_head.weight = self.wte.weight  # weight tying
            self.apply(self._init_weights)
            for name, p in self.named_parameters():
                if name.endswith("c_proj.weight") or name.endswith("mlp.2.weight"):
                    nn.init.normal_(p, std=0.02 / math.sqrt(2 * config["num_layers"]))

        @staticmethod
        def _init_weights(module):
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)

        def forward(self, ids):
            positions = torch.arange(ids.shape[1], device=ids.device)
            x = self.wte(ids) + self.wpe(positions)
            for block in self.h:
                x = block(x)
            return self.lm_head(self.ln_f(x))

    return GPT()


def torch_phases(implementation, mode, args):
    os.environ["KERAS_BACKEND"] = "torch"
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    config = sizes(args)
    x, y, prompts = (_data(args, config["vocabulary_size"]))
    x, y = (torch.as_tensor(a, dtype=torch.long, device=device) for a in (x, y))
    if implementation == "hf":
        import transformers

        hf_config = transformers.GPT2Config(
            vocab_size=config["vocabulary_size"], n_positions=config["max_sequence_length"],
            n_embd=config["hidden_dim"], n_layer=config["num_layers"], n_head=config["num_heads"],
            resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
        )
        model = transformers.GPT2LMHeadModel(hf_config).to(device)
        logits_of = (lambda forward: lambda ids: forward(ids).logits)
    else:
        model = nanogpt_model(config).to(device)
        logits_of = (lambda forward: forward)
    if mode == "compile" and implementation == "hf":
        # Hugging Face's recipe for compiled generation (its docs, "torch.compile"
        # with a static cache); its own auto-compile is for CUDA only.
        model.forward = torch.compile(model.forward)
        forward = logits_of(model)
    else:
        forward = logits_of(torch.compile(model) if mode == "compile" else model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=6e-4, betas=(0.9, 0.95), weight_decay=0.1)
    loss_fn = torch.nn.CrossEntropyLoss()

    def train():
        model.train()
        optimizer.zero_grad(set_to_none=True)
        logits = forward(x)
        loss_fn(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)).backward()
        optimizer.step()
        sync()

    phases = {phase_names(args)[0]: train}
    if implementation == "hf":
        options = {"cache_implementation": "static"} if mode == "compile" else {}

        def generate(prompt):
            model.eval()
            with torch.inference_mode():
                out = model.generate(prompt, attention_mask=torch.ones_like(prompt), do_sample=False,
                                     max_new_tokens=args.new_tokens, min_new_tokens=args.new_tokens,
                                     pad_token_id=0, **options)
            sync()
            assert out.shape[1] == args.prompt_length + args.new_tokens

        for batch, prompt in prompts.items():
            prompt = torch.as_tensor(prompt, dtype=torch.long, device=device)
            phases[f"generate_b{batch}"] = lambda prompt=prompt: generate(prompt)
    else:
        def no_cache():
            raise NotImplementedError("nanoGPT's generate recomputes the whole prefix per token (no cache)")

        phases.update({f"generate_b{batch}": no_cache for batch in prompts})
    return phases


def worker(row, args):
    implementation, variant = row.split("/")
    build = torch_phases if implementation in ("hf", "nanogpt") else keras_phases
    harness.serve_built(lambda: build(implementation, variant, args))


def group_of(row):
    implementation, variant = row.split("/")
    return "torch" if implementation in ("hf", "nanogpt") else variant


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    harness.standard_arguments(parser, DEFAULT_ROWS, "benchmarks/results/gpt.json")
    parser.add_argument("--model", default="gpt2", help="a GPT variant of keras_zoo (GPT_VARIANTS)")
    parser.add_argument("--num-layers", type=int, help="fewer blocks than the variant's (a quick look)")
    parser.add_argument("--sequence-length", type=int, default=256, help="training tokens per row")
    parser.add_argument("--batch-size", type=int, default=8, help="training rows")
    parser.add_argument("--generate-batch-sizes", nargs="+", type=int, default=[1, 8])
    parser.add_argument("--prompt-length", type=int, default=32)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--phases", nargs="+", choices=["train", "generate"], default=["train", "generate"])
    args = parser.parse_args()
    if args.worker:  # before anything imports Keras: the row chooses its backend
        return worker(args.worker, args)
    os.environ["KERAS_BACKEND"] = "torch"  # the parent only reads the variants (see `sizes`)
    from keras_zoo.models.gpt.gpt_variants import GPT_VARIANTS

    if args.model not in GPT_VARIANTS:
        parser.error(f"Unknown --model {args.model!r}. Valid: {', '.join(sorted(GPT_VARIANTS))}")
    phases = [p for p in phase_names(args) if p.split("_")[0] in args.phases]
    config = sizes(args)
    title = (f"GPT {args.model} ({config['num_layers']} blocks, width {config['hidden_dim']}, vocabulary "
             f"{config['vocabulary_size']}) float32")
    worker_args = ["--model", args.model, "--sequence-length", str(args.sequence_length),
                   "--batch-size", str(args.batch_size), "--prompt-length", str(args.prompt_length),
                   "--new-tokens", str(args.new_tokens),
                   "--generate-batch-sizes", *map(str, args.generate_batch_sizes)]
    if args.num_layers:
        worker_args += ["--num-layers", str(args.num_layers)]
    report = harness.measure("benchmarks.gpt", title, args, phases, rates(args), yardstick=YARDSTICK,
                             group_of=group_of, worker_args=worker_args)
    print(harness.format_rates(report))


if __name__ == "__main__":
    sys.exit(main())
