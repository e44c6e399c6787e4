#!/usr/bin/env bash
# On the GPU machine: the speed comparison (scripts/bench-vs-pytorch.sh) with the kit made by scripts/gpu-kit.sh.
# Leaves machine.txt, pytorch.json, torchsharp.json and ratio.md in $OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/gpu-env.sh
OUT="$out" REPRO="$kit/app/repro" scripts/bench-vs-pytorch.sh
