#!/usr/bin/env bash
# On the GPU machine: the `fmnist` profile (experiments/fmnist.json) with the kit made by scripts/gpu-kit.sh, on
# PyTorch's libtorch. Usage: scripts/gpu-fmnist.sh [seeds, default 0,1,2,3,4]. Writes the GPU name, the log, the
# paper-shaped table and every unit's folder (one archive) to $OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-0,1,2,3,4}
out=${OUT:-/tmp/repro-out}
kit=/tmp/repro-kit
mkdir -p "$out" "$kit"
tar -xJf .gpu-kit/repro.tar.xz -C "$kit"
tar -xJf .gpu-kit/data.tar.xz -C "$kit"
torch_lib=$(python3 -c "import torch,os;print(os.path.dirname(torch.__file__))")/lib
export LD_LIBRARY_PATH="$torch_lib:${LD_LIBRARY_PATH:-}"
export REPRO_DATA="$kit/data"
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; python3 -c "import torch;print('torch', torch.__version__)"; git log -1 --format='commit %h %cd' 2>/dev/null || true; } > "$out/machine.txt"
status=0
"$kit/app/repro" run --definition experiments/fmnist.json --device cuda --seeds "$seeds" --out "$out/fmnist" > "$out/run.log" 2>&1 || status=$?
grep -v '%  ' "$out/run.log" | tail -n 60
"$kit/app/repro" table --definition experiments/fmnist.json --from "$out/fmnist" | tee "$out/table.txt" || true
[ -d "$out/fmnist" ] && tar -czf "$out/units.tar.gz" -C "$out" fmnist && rm -rf "$out/fmnist"
exit $status
