#!/usr/bin/env bash
# Our CPU train step against PyTorch's, side by side in one run (issue 32, goal 0): Table 1's rows at CIFAR's shape
# (3×32×32, width 64, fp32, batch 128), ours in the default reproducible CPU mode (`repro bench --device cpu`) and
# PyTorch's eager step on the same network (scripts/peer/train_step.py) at the same thread count, in alternating rounds
# so drift hits both; then per row the median img/s of each and the ratio. One row is added to find where the
# spectrally normalized rows spend their time: L2 60 with only spectral normalization switched off (docs/performance.md).
#   usage: scripts/cpu-vs-pytorch.sh   (OUT: where the JSON and the table go; ROUNDS, STEPS, WARMUP, BATCH, ROWS, REPRO_PYTHON)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/repro-cpu-vs-pytorch}
rounds=${ROUNDS:-2}
steps=${STEPS:-5}
warmup=${WARMUP:-2}
batch=${BATCH:-128}
python=${REPRO_PYTHON:-/usr/bin/python3}
threads=$(nproc)
mkdir -p "$out"
# Table 1's rows (the 350-epoch rows take the same step as their 60-epoch ones) and L2 60 without spectral normalization.
"$python" - "$out/rows.json" <<'PY'
import json, sys
d = json.load(open("experiments/table1.json"))
l2 = next(r for r in d["rows"] if r["name"] == "l2-60")
d["rows"].append({**l2, "name": "l2-60-no-sn", "label": "L2 60, no SN", "config": {**l2["config"], "spectralNorm": False}, "paper": None})
json.dump(d, open(sys.argv[1], "w"), indent=1)
PY
rows=${ROWS:-logitnorm-60,logitnorm-60-plus,l2-60,no-l2-60,l2-60-no-sn}
for ((r = 1; r <= rounds; r++)); do
  echo "round $r of $rounds: PyTorch ($threads threads), then ours" >&2
  "$python" scripts/peer/train_step.py --device cpu --threads "$threads" --definition "$out/rows.json" --rows "$rows" --batch "$batch" \
    --modes fp32 --steps "$steps" --warmup "$warmup" --json "$out/pytorch-$r.json" >&2
  ./repro bench --device cpu --definition "$out/rows.json" --rows "$rows" --batch "$batch" --precision fp32 --steps "$steps" \
    --warmup "$warmup" --json "$out/ours-$r.json" >&2
done
"$python" - "$out" "$rounds" <<'PY' | tee "$out/ratio.md"
import json, statistics, sys, platform, re, subprocess
out, rounds = sys.argv[1], int(sys.argv[2])
def rates(prefix):
    by_row = {}
    for r in range(1, rounds + 1):
        for t in json.load(open(f"{out}/{prefix}-{r}.json")):
            by_row.setdefault(t["row"], []).append(t["imagesPerSecond"])
    return by_row
ours, theirs = rates("ours"), rates("pytorch")
cpu = open("/proc/cpuinfo").read()
model = re.search(r"model name\s*:\s*(.*)", cpu).group(1)
flags = set(re.search(r"flags\s*:\s*(.*)", cpu).group(1).split())
isa = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
torch = json.load(open(f"{out}/pytorch-1.json"))[0]
print(f"CPU train step, ours (default reproducible mode: AVX2 kernels pinned) vs PyTorch {torch['torch']} eager ({torch['device']}),")
print(f"batch 128 of 3×32×32, width 64, fp32; {rounds} alternating rounds, median img/s; {model}, {isa}.")
print()
print("| row | ours img/s | PyTorch img/s | ours ÷ PyTorch | rounds (ours / PyTorch) |")
print("|---|---:|---:|---:|---|")
for row in ours:
    o, t = statistics.median(ours[row]), statistics.median(theirs[row])
    spread = lambda v: ", ".join(f"{x:.1f}" for x in v)
    print(f"| {row} | {o:.1f} | {t:.1f} | {o / t:.2f} | {spread(ours[row])} / {spread(theirs[row])} |")
PY
