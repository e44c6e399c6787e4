#!/usr/bin/env bash
# The quickstart's budget trade-off (issue 16): the L2 and No L2 rows of experiments/quick.json over seeds 0-4 at each
# budget given, one after another on this machine, then per budget each seed's ‖z‖ AUROC, the smallest L2 − No L2
# gap, the L2 row's spread (max − min) and the mean unit wall time (scripts/quick-sweep-table.py).
#   usage: scripts/quick-sweep.sh OUT 'name:key=value key=value' ...
#   e.g.   scripts/quick-sweep.sh runs/sweep 'w8e2:width=8 epochs=2 milestones=[1] trainSubset=20000'
#   ROWS='l2' screens the L2 row alone (No L2 stays far below it at every budget tried); SEEDS='0,1,2' fewer seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1; shift
mkdir -p "$out"
python3 - "$out/quick2.json" "${ROWS:-l2 no-l2}" <<'PY'
import json, sys
d = json.load(open("experiments/quick.json"))
d["rows"] = [r for r in d["rows"] if r["name"] in sys.argv[2].split()]
json.dump(d, open(sys.argv[1], "w"), indent=1)
PY
for spec in "$@"; do
  name=${spec%%:*}
  args=()
  for s in ${spec#*:}; do args+=(--set "$s"); done
  ./repro run --definition "$out/quick2.json" "${args[@]}" --seeds "${SEEDS:-0,1,2,3,4}" --device cpu --out "$out/$name" > "$out/$name.log" 2>&1
done
python3 scripts/quick-sweep-table.py "$out"
