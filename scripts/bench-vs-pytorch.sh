#!/usr/bin/env bash
# One command for the speed comparison (issue 5), on a GPU machine with PyTorch: PyTorch's train step
# (scripts/peer/train_step.py) and then TorchSharp's (`repro bench`), same rows of experiments/table1.json, same batch
# sizes, one after the other on the same card, then the ratio table (ours ÷ theirs).
#   usage: scripts/bench-vs-pytorch.sh        (OUT: where the JSON and the table go; REPRO: the repro command)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/repro-bench}
repro=(${REPRO:-./repro})
rows=${ROWS:-l2-60,logitnorm-60}
batches=${BATCHES:-128,1024}
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > "$out/machine.txt" 2>/dev/null || echo "no nvidia-smi" > "$out/machine.txt"
python3 scripts/peer/train_step.py --rows "$rows" --batch "$batches" --modes "${MODES:-fp32,bf16}" --json "$out/pytorch.json"
"${repro[@]}" bench --device "${DEVICE:-cuda}" --rows "$rows" --batch "$batches" --json "$out/torchsharp.json" --peer "$out/pytorch.json" \
  | tee "$out/ratio.md"
