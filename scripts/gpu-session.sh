#!/usr/bin/env bash
# Everything one GPU lease measures, in priority order and inside a deadline, so a short lease still brings results
# back: (1) the speed comparison with PyTorch (bench-vs-pytorch.sh, issue 5); (2) several seeds at once
# (bench-concurrent.sh; CONCURRENT= skips it); (3) the `fmnist` definition, 5 seeds (issue 3), with the default stacks
# (LogitNorm's 5 seeds as one model on a large card; FMNIST_ARGS="--stack 1" for one model per seed, as measured on the
# H200 on 2026-11-28). Step (1) also times stacks of 1, 4 and 8 seeds (issue 15) and projects Table 1 from the best rates. Run it again on the same warm machine to go on:
# steps done and units finished stay in /tmp/repro-lease and are skipped; an interrupted unit resumes from its checkpoint.
#   usage: scripts/gpu-session.sh [seconds, default 560]   (on the device machine, with the kit from scripts/gpu-kit.sh)
# A dry run elsewhere: DEVICE=cpu TORCH_LIB=<libtorch>/lib and smaller ROWS/BATCHES/STEPS, CONCURRENT, FMNIST_ARGS.
# Leaves in $OUT: session.log, bench.tar.gz (machine, JSON, ratio table, concurrent runs), fmnist.log, table.txt and
# the finished units as units.tar.xz (split into 15 MB parts if larger).
set -uo pipefail
cd "$(dirname "$0")/.."
budget=${1:-560}
start=$SECONDS
left() { echo $((budget - (SECONDS - start))); }
final=${OUT:-/tmp/repro-out}
work=/tmp/repro-lease
mkdir -p "$final" "$work"
exec > >(tee -a "$final/session.log") 2>&1
OUT=$work source scripts/gpu-env.sh
repro="$kit/app/repro"
device=${DEVICE:-cuda}
echo "== $(date -u +%FT%TZ) $(head -n 2 "$work/machine.txt" | tail -n 1); budget ${budget} s"

if [ ! -f "$work/bench/ratio.md" ]; then
  echo "== speed vs PyTorch ($(left) s left)"
  OUT=$work/bench REPRO=$repro DEVICE=$device STEPS=${STEPS:-15} timeout 320 scripts/bench-vs-pytorch.sh || echo "bench-vs-pytorch failed ($?)"
  IFS=';' read -ra specs <<< "${CONCURRENT-4 l2-60 1024 bf16 120;4 logitnorm-60 128 bf16 400}"   # CONCURRENT= skips it
  for spec in "${specs[@]}"; do
    echo "== concurrent: $spec ($(left) s left)"
    OUT=$work/bench REPRO=$repro DEVICE=$device timeout 90 scripts/bench-concurrent.sh $spec | tee -a "$work/bench/concurrent.txt" || echo "concurrent $spec failed"
  done
  cp "$work/machine.txt" "$work/bench/" 2>/dev/null
  tar -czf "$final/bench.tar.gz" -C "$work" bench
fi

# Several runners share the run through the unit claims; OMP threads only matter for host-side work here.
runtime=$(( $(left) - 45 ))
if [ "$runtime" -gt 30 ]; then
  echo "== fmnist: 5 seeds × 3 rows, 5 workers, ${runtime} s at most"
  OMP_NUM_THREADS=3 timeout -k 10 "$runtime" "$repro" run --definition experiments/fmnist.json --device "$device" --workers 5 \
    --out "$work/fmnist" ${FMNIST_ARGS:-} >> "$work/fmnist.log" 2>&1
  echo "fmnist run exited with $?"
fi
grep -v '%  ' "$work/fmnist.log" | tail -n 40
cp "$work/fmnist.log" "$final/fmnist.log" 2>/dev/null
"$repro" table --definition experiments/fmnist.json --from "$work/fmnist" > "$final/table.txt" 2>&1; cat "$final/table.txt"
# Finished units only: checkpoints of unfinished ones are large and resume here, not there.
if [ -d "$work/fmnist" ]; then
  (cd "$work" && XZ_OPT=-T0 tar -cJf "$final/units.tar.xz" --exclude='*.partial' --exclude='.locks' fmnist)
  if [ "$(stat -c %s "$final/units.tar.xz")" -gt 15000000 ]; then
    split -b 15000000 "$final/units.tar.xz" "$final/units.tar.xz." && rm "$final/units.tar.xz"
  fi
fi
ls -la "$final"
echo "== done, $(left) s of the budget left"
