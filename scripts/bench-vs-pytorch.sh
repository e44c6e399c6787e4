#!/usr/bin/env bash
# One command for the speed comparison (issue 5), on a GPU machine with PyTorch: PyTorch's train step
# (scripts/peer/train_step.py) and then TorchSharp's (`repro bench`), same rows of experiments/table1.json, same batch
# sizes, one after the other on the same card, then the ratio table (ours ÷ theirs). Ours is timed on ready batches
# (as the peer) and with the batch drawn and augmented on the device first (INPUTS=step,data), alone and as stacks of
# K seeds trained as one model (STACKS=1,4,8: grouped convolutions against separate ones at the row's shapes).
#   usage: scripts/bench-vs-pytorch.sh        (OUT: where the JSON and the table go; REPRO: the repro command)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/repro-bench}
repro=(${REPRO:-./repro})
rows=${ROWS:-l2-60,logitnorm-60}
batches=${BATCHES:-128,1024}
steps=${STEPS:-30}
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > "$out/machine.txt" 2>/dev/null || echo "no nvidia-smi" > "$out/machine.txt"
peer=(--peer "$out/pytorch.json")
PYTHONUNBUFFERED=1 python3 scripts/peer/train_step.py --rows "$rows" --batch "$batches" --modes "${MODES:-fp32,bf16}" --steps "$steps" \
  --json "$out/pytorch.json" || { echo "the PyTorch peer failed (above); timing TorchSharp alone" >&2; peer=(); }
"${repro[@]}" bench --device "${DEVICE:-cuda}" --rows "$rows" --batch "$batches" --steps "$steps" --input "${INPUTS:-step,data}" \
  --stack "${STACKS:-1,4,8}" --project \
  --json "$out/torchsharp.json" "${peer[@]}" | tee "$out/ratio.md"
