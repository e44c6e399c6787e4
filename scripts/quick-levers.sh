#!/usr/bin/env bash
# The quickstart's CPU levers (issue 16) side by side in one run: training img/s of the quickstart's rows at its width
# and batch, each lever changed alone against the baseline (the training step as `repro quick` runs it: NCHW, the
# allocator tuned, REPRO_THREADS=2, data drawn and augmented each step), then a Markdown table of ratios to it.
#   usage: scripts/quick-levers.sh [OUT]   (DEFINITION=experiments/quick.json ROWS=l2,logitnorm BATCH=16 STEPS=300 override the shape)
# A CPU-only tool: its figures depend on the machine (the table's last line names it).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/repro-levers}
rows=${ROWS:-l2,logitnorm} batch=${BATCH:-16} steps=${STEPS:-300}
mkdir -p "$out"
rm -f "$out"/*.json
./repro --help > /dev/null   # build once, before anything is timed
bench() {  # NAME [ENV=VALUE ...] -- [bench options]
  local name=$1; shift
  local env=()
  while [ "$1" != "--" ]; do env+=("$1"); shift; done; shift
  env "${env[@]}" ./repro bench --definition "${DEFINITION:-experiments/quick.json}" --rows "$rows" --precision fp32 --device cpu \
    --steps "$steps" --warmup 10 --json "$out/$name.json" "$@" > "$out/$name.log" 2>&1
}
bench baseline -- --batch "$batch" --input data
bench step-only -- --batch "$batch" --input step
bench nhwc -- --batch "$batch" --input data --layout channels-last
bench malloc-default REPRO_MALLOC_TUNING=0 -- --batch "$batch" --input data
bench one-thread REPRO_THREADS=1 -- --batch "$batch" --input data
# Two single-threaded processes at once (two workers of one `repro run`), their rates summed.
bench two-procs-a REPRO_THREADS=1 -- --batch "$batch" --input data & a=$!
bench two-procs-b REPRO_THREADS=1 -- --batch "$batch" --input data & b=$!
wait $a $b
for other in 32 64 128; do [ "$other" = "$batch" ] || bench "batch-$other" -- --batch "$other" --input data; done
bench baseline-again -- --batch "$batch" --input data   # the run-to-run noise of one measurement
python3 - "$out" "$batch" <<'PY'
import glob, json, os, sys
out, batch = sys.argv[1], int(sys.argv[2])
runs = {os.path.basename(f)[:-5]: json.load(open(f)) for f in glob.glob(out + "/*.json")}
rate = lambda name, row: next(t["imagesPerSecond"] for t in runs[name] if t["row"] == row)
rows = [t["row"] for t in runs["baseline"]]
levers = [
    ("baseline: batch %d, data drawn and augmented each step, NCHW, allocator tuned, 2 threads" % batch, ["baseline"]),
    ("the step alone (synthetic batch: host-side data work removed)", ["step-only"]),
    ("channels_last (NHWC) weights and batches", ["nhwc"]),
    ("glibc's default malloc thresholds (REPRO_MALLOC_TUNING=0)", ["malloc-default"]),
    ("1 thread", ["one-thread"]),
    ("2 processes × 1 thread at once (rates summed)", ["two-procs-a", "two-procs-b"]),
] + [(f"batch {b}", [f"batch-{b}"]) for b in (32, 64, 128) if b != batch] + [
    ("the baseline again, last (run-to-run noise)", ["baseline-again"]),
]
print("| lever | " + " | ".join(f"{r} img/s | ÷ baseline" for r in rows) + " |")
print("|---|" + "---:|---:|" * len(rows))
for label, names in levers:
    cells = []
    for r in rows:
        v = sum(rate(n, r) for n in names)
        cells.append(f"{v:.0f} | {v / rate('baseline', r):.2f}")
    print(f"| {label} | " + " | ".join(cells) + " |")
print(f"\nMeasured one after another in one run on: {runs['baseline'][0]['device']}; rows of {os.environ.get('DEFINITION', 'experiments/quick.json')}.")
PY
