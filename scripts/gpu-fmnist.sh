#!/usr/bin/env bash
# On the GPU machine: the `fmnist` profile (experiments/fmnist.json) with the kit made by scripts/gpu-kit.sh, on
# PyTorch's libtorch. Usage: scripts/gpu-fmnist.sh [seeds, default 0,1,2,3,4]. Writes the GPU name, the log, the
# paper-shaped table and every unit's folder (one archive) to $OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-0,1,2,3,4}
source scripts/gpu-env.sh
status=0
"$kit/app/repro" run --definition experiments/fmnist.json --device cuda --seeds "$seeds" --out "$out/fmnist" > "$out/run.log" 2>&1 || status=$?
grep -v '%  ' "$out/run.log" | tail -n 60
"$kit/app/repro" table --definition experiments/fmnist.json --from "$out/fmnist" | tee "$out/table.txt" || true
[ -d "$out/fmnist" ] && tar -czf "$out/units.tar.gz" -C "$out" fmnist && rm -rf "$out/fmnist"
exit $status
