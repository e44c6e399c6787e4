#!/usr/bin/env bash
# Several seeds trained at once on one GPU (issue 5, goal 1): N `repro bench` processes of one row, batch and precision
# start together; prints each one's img/s and two aggregates from their timed windows — the sum of their rates (exact
# when the windows coincide) and all their images ÷ the span from the first window's start to the last one's end (a
# lower bound: it counts the edges where fewer ran).
#   usage: scripts/bench-concurrent.sh N ROW BATCH PRECISION [STEPS]   (OUT, REPRO, DEVICE as in bench-vs-pytorch.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
n=$1 row=$2 batch=$3 precision=$4 steps=${5:-100}
out=${OUT:-/tmp/repro-bench}/concurrent-$n-$row-$batch-$precision
repro=(${REPRO:-./repro})
mkdir -p "$out"
for k in $(seq 1 "$n"); do
  "${repro[@]}" bench --device "${DEVICE:-cuda}" --rows "$row" --batch "$batch" --precision "$precision" --steps "$steps" \
    --json "$out/$k.json" > "$out/$k.log" 2>&1 &
done
status=0
for job in $(jobs -p); do wait "$job" || status=1; done
[ $status -eq 0 ] || { tail -n 5 "$out"/*.log >&2; exit 1; }
python3 - "$out" "$n" <<'PY'
import glob, json, sys
from datetime import datetime
runs = [json.load(open(f))[0] for f in sorted(glob.glob(sys.argv[1] + "/*.json"))]
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
span = max(t(r["timedTo"]) for r in runs) - min(t(r["timedFrom"]) for r in runs)
images = sum(r["steps"] * r["batchSize"] for r in runs)
r0 = runs[0]
print(f"{sys.argv[2]} at once, {r0['row']} batch {r0['batchSize']} {r0['precision']}: each " +
      ", ".join(f"{r['imagesPerSecond']:.0f}" for r in runs) +
      f" img/s; sum {sum(r['imagesPerSecond'] for r in runs):.0f} img/s; over the whole span {images / span:.0f} img/s ({r0['device']})")
PY
