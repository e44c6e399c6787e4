#!/usr/bin/env bash
# One command for the speed comparison (issues 5 and 32), on a GPU machine with PyTorch: PyTorch's train step
# (scripts/peer/train_step.py) and then TorchSharp's (`repro bench`), same rows of experiments/table1.json, same batch
# sizes, one after the other on the same card, then the ratio table (ours ÷ each peer system) and Table 1 projected at
# each system's rates. Ours is timed on ready batches (as the peer) and with the batch drawn and augmented on the device
# first (INPUTS=step,data), alone and as stacks of K seeds trained as one model (STACKS=1,4,8), in fp32, bf16
# convolutions and bf16 activations end to end (PRECISIONS; the last is issue 32's lever). The peers: eager
# (MODES), N processes at once at batch 128 (PROCESSES, as users share a card among runs), and torch.compile
# (COMPILE_MODES) on the (row:batch) pairs that dominate Table 1's projection (COMPILE_PAIRS) — compilation is the
# warm-up, timed apart in the JSON, so default mode first and max-autotune (CUDA graphs, longest to compile) last.
#   usage: scripts/bench-vs-pytorch.sh        (OUT: where the JSON and the table go; REPRO: the repro command)
# Empty PROCESSES, COMPILE_MODES or COMPILE_PAIRS skips that peer.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/repro-bench}
repro=(${REPRO:-./repro})
rows=${ROWS:-l2-60,logitnorm-60-plus}
batches=${BATCHES:-128,1024}
steps=${STEPS:-30}
python=${REPRO_PYTHON:-python3}
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > "$out/machine.txt" 2>/dev/null || echo "no nvidia-smi" > "$out/machine.txt"
# Ours first, then each peer; the ratio table and projections are rewritten from the saved timings after every peer,
# so a lease that ends mid-way still brings back a table of what finished.
"${repro[@]}" bench --device "${DEVICE:-cuda}" --rows "$rows" --batch "$batches" --steps "$steps" --input "${INPUTS:-step,data}" \
  --precision "${PRECISIONS:-fp32,bf16,bf16-activations}" --stack "${STACKS:-1,4,8}" --project --json "$out/torchsharp.json" | tee "$out/ratio.md"
peers=()
peer() {   # peer NAME ARGS...: one call of the peer script; a failure leaves the others standing
  local name=$1; shift
  if PYTHONUNBUFFERED=1 "$python" scripts/peer/train_step.py --steps "$steps" --json "$out/pytorch-$name.json" "$@"; then
    peers+=("$out/pytorch-$name.json")
    "$python" -c 'import json, sys; json.dump([t for f in sys.argv[2:] for t in json.load(open(f))], open(sys.argv[1], "w"), indent=1)' \
      "$out/pytorch.json" "${peers[@]}"
    "${repro[@]}" bench --timings "$out/torchsharp.json" --peer "$out/pytorch.json" --project > "$out/ratio.md"
  else echo "the PyTorch peer '$name' failed (above)" >&2; fi
}
peer eager --rows "$rows" --batch "$batches" --modes "${MODES:-fp32,bf16}"
[ -z "${PROCESSES-4}" ] || peer processes --rows "$rows" --batch 128 --modes "${MODES:-fp32,bf16}" --processes "${PROCESSES-4}"
for mode in ${COMPILE_MODES-bf16+compile}; do
  for pair in ${COMPILE_PAIRS-l2-60:1024 logitnorm-60-plus:128}; do
    peer "${mode//+/-}-${pair//:/-}" --rows "${pair%:*}" --batch "${pair#*:}" --modes "$mode" --warmup "${COMPILE_WARMUP:-3}"
  done
done
cat "$out/ratio.md"
