#!/usr/bin/env bash
# The PyTorch backend on a CUDA device, in one short run: each family's eager
# and torch.compile'd keras_zoo rows beside native PyTorch (timm, torch.nn)
# and keras_zoo's JAX row, interleaved as every benchmark here is. For a
# session lent a GPU: run from the repository root after the install
# command of README.md, then commit benchmarks/results/gpu_torch_compile_*.json.
#
#     bash benchmarks/gpu_rows.sh            # about 10 minutes on an H200
#     REPEATS=5 bash benchmarks/gpu_rows.sh
#
# If the compiled rows are still short of native PyTorch in generation,
# CUDA graphs are the next step (issue 20).
set -euo pipefail
REPEATS=${REPEATS:-3}
OUT=${OUT_DIR:-benchmarks/results}
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || { echo "no CUDA device" >&2; exit 1; }
python -c "import torch; assert torch.cuda.is_available(), 'torch sees no CUDA device'"

python -m benchmarks.convnext --device auto --batch-sizes 32 --repeats "$REPEATS" \
    --rows keras_zoo/torch keras_zoo:compile/torch timm/eager timm/compile keras_zoo/jax \
    --json "$OUT/gpu_torch_compile_convnext.json"
python -m benchmarks.transformer --device auto --repeats "$REPEATS" --batch-size 32 \
    --rows keras_zoo/torch keras_zoo:compile/torch torch.nn/eager keras_zoo/jax \
    --json "$OUT/gpu_torch_compile_transformer.json"
python -m benchmarks.wgan_gp --device auto --repeats "$REPEATS" \
    --rows keras_zoo/torch keras_zoo:compile/torch keras_zoo/tensorflow keras_zoo/jax \
    --json "$OUT/gpu_torch_compile_wgan_gp.json"
python -m benchmarks.bert --device auto --repeats "$REPEATS" --batch-sizes 16 32 \
    --rows keras_zoo/torch keras_zoo:compile/torch keras_hub/torch hf/eager hf/compile keras_zoo/jax keras_hub/jax \
    --json "$OUT/gpu_bert.json"
