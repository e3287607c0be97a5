"""ViT-S/16 and ViT-B/16 at 224x224: inference and training (forward,
backward, AdamW step) images/s of keras_zoo, keras-hub's ViTBackbone +
ViTImageClassifier and timm, each backend and implementation in its own
process, the rows of one backend interleaved with timm eager.

    python -m benchmarks.vit                                   # all rows, both models, batch 8 and 32
    python -m benchmarks.vit --device cpu --models vit_small_patch16_224 --batch-sizes 8 --repeats 3
    python -m benchmarks.vit --rows keras_zoo/jax keras_hub/jax timm/eager

Rows are `implementation/backend`: `keras_zoo`, `keras_hub` (both with
Keras' AdamW: the same update on every row of a backend), `keras_zoo:compile/torch`
(torch.compile, jit_compile=True; the plain torch rows are eager), `timm/eager`
and `timm/compile` (`torch.optim.AdamW`'s defaults). keras-hub rows need
`pip install --no-deps keras-hub` (benchmarks/README.md).
"""

import argparse
import os
import sys

from benchmarks import harness

IMAGE_SIZE = 224
NUM_CLASSES = 1000
MODELS = ("vit_small_patch16_224", "vit_base_patch16_224")
DEFAULT_ROWS = [
    "keras_zoo/jax", "keras_hub/jax",
    "keras_zoo/tensorflow", "keras_hub/tensorflow",
    "keras_zoo/torch", "keras_zoo:compile/torch", "keras_hub/torch",
    "timm/eager", "timm/compile",
]
YARDSTICK = "timm/eager"


def phase_name(model, kind, batch):
    return f"{model.split('_patch')[0]}_{kind}_b{batch}"  # vit_small_train_b8


# ---------------------------------------------------------------- workers
def keras_hub_model(name):
    import keras_hub

    from keras_zoo.models.vit.vit_variants import VIT_VARIANTS

    config = VIT_VARIANTS[name]
    backbone = keras_hub.models.ViTBackbone(
        image_shape=(IMAGE_SIZE, IMAGE_SIZE, 3), patch_size=config["patch_size"], num_layers=config["depth"],
        num_heads=config["num_heads"], hidden_dim=config["hidden_dim"],
        mlp_dim=int(config["hidden_dim"] * config.get("mlp_ratio", 4)),
    )
    return keras_hub.models.ViTImageClassifier(backbone=backbone, num_classes=NUM_CLASSES, preprocessor=None)


def keras_phases(implementation, backend, models, batch_sizes):
    os.environ["KERAS_BACKEND"] = backend
    import keras
    import numpy as np

    import keras_zoo

    rng = np.random.default_rng(0)
    phases = {}
    for name in models:
        if implementation.startswith("keras_zoo"):
            model = keras_zoo.create_model(name, num_classes=NUM_CLASSES, input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3))
        else:
            model = keras_hub_model(name)
        model.compile(optimizer=keras.optimizers.AdamW(1e-4),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      jit_compile=harness.keras_jit_compile(implementation, backend))
        for batch in batch_sizes:
            x = rng.standard_normal((batch, IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.float32)
            y = rng.integers(0, NUM_CLASSES, size=(batch,))
            # predict_on_batch / train_on_batch return numpy: synchronised.
            phases[phase_name(name, "infer", batch)] = lambda model=model, x=x: model.predict_on_batch(x)
            phases[phase_name(name, "train", batch)] = lambda model=model, x=x, y=y: model.train_on_batch(x, y)
    return phases


def timm_phases(mode, models, batch_sizes):
    import timm
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    loss_fn = torch.nn.CrossEntropyLoss()
    phases = {}
    for name in models:
        model = timm.create_model(name, num_classes=NUM_CLASSES).to(device)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
        forward = torch.compile(model) if mode == "compile" else model

        def infer(x, model=model, forward=forward):
            model.eval()
            with torch.inference_mode():
                forward(x)
            sync()

        def train(x, y, model=model, forward=forward, optimizer=optimizer):
            model.train()
            optimizer.zero_grad(set_to_none=True)
            loss_fn(forward(x), y).backward()
            optimizer.step()
            sync()

        for batch in batch_sizes:
            x = torch.randn(batch, 3, IMAGE_SIZE, IMAGE_SIZE, device=device)
            y = torch.randint(0, NUM_CLASSES, (batch,), device=device)
            phases[phase_name(name, "infer", batch)] = lambda x=x, infer=infer: infer(x)
            phases[phase_name(name, "train", batch)] = lambda x=x, y=y, train=train: train(x, y)
    return phases


def worker(row, args):
    implementation, variant = row.split("/")
    if implementation == "timm":
        harness.serve_built(lambda: timm_phases(variant, args.models, args.batch_sizes))
    else:
        harness.serve_built(lambda: keras_phases(implementation, variant, args.models, args.batch_sizes))


# ---------------------------------------------------------------- parent
def group_of(row):
    implementation, variant = row.split("/")
    return "torch" if implementation == "timm" else variant


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    harness.standard_arguments(parser, DEFAULT_ROWS, "benchmarks/results/vit.json")
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--batch-sizes", nargs="+", type=int, default=[8, 32])
    parser.add_argument("--phases", nargs="+", default=["infer", "train"], choices=["infer", "train"])
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args)
    phases = [phase_name(m, p, b) for m in args.models for b in args.batch_sizes for p in args.phases]
    rates = {phase: (int(phase.split("_b")[-1]), "images/s") for phase in phases}
    worker_args = ["--models", *args.models, "--batch-sizes", *map(str, args.batch_sizes)]
    report = harness.measure("benchmarks.vit", f"ViT {IMAGE_SIZE}x{IMAGE_SIZE} float32", args, phases, rates,
                             yardstick=YARDSTICK, group_of=group_of, worker_args=worker_args)
    print(harness.format_rates(report))


if __name__ == "__main__":
    sys.exit(main())
