#!/usr/bin/env bash
# The GPU path proven in one prepared script (docs/gpu-acceptance.md): on the device machine, with the kit from
# scripts/gpu-kit.sh in the working tree. Four results, each a file in $OUT:
#   1. entry.log, entry.xml, report.html, table-fp32.txt — the user's entry point, `dotnet test --filter Category=Repro`
#      as the SDK-less test executable runs it (`Repro.Tests -filterVSTest "Category=Repro"`), on the `fmnist` definition
#      with the default stacks: it trains (here, in shards beside the other steps), resumes, judges the bands, writes
#      the report;
#   2. stacked-vs-separate.txt — the fmnist `logitnorm` row's five seeds (shortened: G2_SET) as one stack, separately,
#      and separately again: per seed the epoch losses, ID accuracy and AUROC side by side, judged against the card's
#      own noise (the repeat);
#   3. resume.txt — the same stack killed with SIGKILL in epoch 3, then resumed: a finished unit in the same folder byte
#      for byte unchanged, nothing half-written left, final metrics against the uninterrupted stack within that noise;
#   4. bf16-vs-fp32.txt, table-bf16.txt — the fmnist definition again in bf16: paired AUROC differences per row and OoD
#      set, judged for equivalence within a third of each band's half-width (one standard error of its mean).
# Resumable: run it again on the same warm machine to go on — steps done are skipped (markers in $WORK), finished
# units are skipped and an interrupted one resumes from its checkpoint.
#   usage: scripts/gpu-accept.sh [seconds, default 480]
# A dry run elsewhere (tested: Repro.Tests/Workflows/GpuAcceptanceDryRun.cs): DEVICE=cpu REPRO=<repro command>
#   TESTS=<test executable> SET="width=8;trainSubset=128;..." (overrides of every row, ';'-separated), and fewer
#   processes at once: SHARDS (default 3), WORKERS (default 5); SEEDS trains bf16 on those seeds only (bf16 is slow on a CPU).
set -uo pipefail
cd "$(dirname "$0")/.."
budget=${1:-480}
start=$SECONDS
left() { echo $((budget - (SECONDS - start))); }
final=${OUT:-/tmp/repro-out}
work=${WORK:-/tmp/repro-accept}
mkdir -p "$final" "$work"
exec > >(tee -a "$final/session.log") 2>&1
device=${DEVICE:-cuda}
if [ -n "${REPRO:-}" ] && [ -n "${TESTS:-}" ]; then
  read -ra repro <<< "$REPRO"; tests=$TESTS
  { echo "dry run on $(uname -n): $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"; echo "commit $(git describe --always --dirty 2>/dev/null)"; } > "$final/machine.txt"
else
  OUT=$final source scripts/gpu-env.sh
  repro=("$kit/app/repro"); tests="$kit/app/Repro.Tests"
fi
definition=experiments/fmnist.json
# Processes on the card at once: the test executable's shards (and bf16's workers), and each separate run's workers.
shards=${SHARDS:-3}; workers=${WORKERS:-5}
# Host work per process is small; 16 cores are shared by up to a dozen processes.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
sets=(); IFS=';' read -ra given <<< "${SET:-}"; for s in "${given[@]}"; do [ -n "$s" ] && sets+=(--set "$s"); done
# Goals 2 and 3 on a shortened budget of the same row: 4 epochs, the learning-rate step after the third.
g2sets=("${sets[@]}"); IFS=';' read -ra g2 <<< "${G2_SET:-epochs=4;milestones=[3]}"; for s in "${g2[@]}"; do g2sets+=(--set "$s"); done
g2run=("${repro[@]}" run --definition "$definition" --rows logitnorm --device "$device" "${g2sets[@]}")
done_() { [ -f "$work/done-$1" ]; }
mark() { touch "$work/done-$1"; }
echo "== $(date -u +%FT%TZ) $(head -n 1 "$final/machine.txt"); budget ${budget} s; device $device${SET:+; overrides: $SET}"

# --- 1 (training) and 2: the fmnist definition in fp32 by the test executable, 3 shards, beside goal 2's three runs -----
if ! done_ phase-a; then
  t=$(( $(left) * 55 / 100 ))
  echo "== phase A: fmnist fp32 (test executable, $shards shards) and goal 2's stacked, separate and repeated runs; ${t} s at most"
  pids=()
  for i in $(seq 1 "$shards"); do
    REPRO_DEFINITION=fmnist REPRO_RESULTS="$work/fp32" REPRO_SHARD="$i/$shards" REPRO_DEVICE="$device" REPRO_SET="${SET:-}" \
      timeout -k 10 "$t" "$tests" -method '*.Table1Reproduction.Units_of_this_shard_run_to_completion' -noColor \
      >> "$work/fp32-shard-$i.log" 2>&1 & pids+=($!)
  done
  timeout -k 10 "$t" "${g2run[@]}" --stack 5 --out "$work/g2-stacked" >> "$work/g2-stacked.log" 2>&1 & pids+=($!)
  timeout -k 10 "$t" "${g2run[@]}" --stack 1 --workers "$workers" --out "$work/g2-separate" >> "$work/g2-separate.log" 2>&1 & pids+=($!)
  timeout -k 10 "$t" "${g2run[@]}" --stack 1 --workers "$workers" --out "$work/g2-repeat" >> "$work/g2-repeat.log" 2>&1 & pids+=($!)
  status=0; for p in "${pids[@]}"; do wait "$p" || status=$?; done
  grep -h "FAIL\|Total:" "$work"/fp32-shard-*.log | tail -n 6
  [ "$status" -eq 0 ] && mark phase-a || echo "phase A did not finish (exit $status): run the script again to resume"
fi

if done_ phase-a && ! done_ stacked; then
  echo "== goal 2: stacked vs separate, against the card's own noise"
  "${repro[@]}" compare "$work/g2-stacked" "$work/g2-separate" --repeat "$work/g2-repeat,$work/g2-separate" > "$final/stacked-vs-separate.txt" 2>&1
  echo "compare exited $?"; tail -n 3 "$final/stacked-vs-separate.txt"; mark stacked
fi

# --- 3: kill -9 mid-epoch of the stacked run, resume; 4 (training): fmnist in bf16, beside it ------------------------
if done_ phase-a && ! done_ phase-b && [ "$(left)" -gt 105 ]; then
  t=$(( $(left) - 75 ))
  echo "== phase B: goal 3's kill and resume, and fmnist in bf16 ($shards workers); ${t} s at most"
  timeout -k 10 "$t" "${repro[@]}" run --definition "$definition" --device "$device" --set precision=bf16 "${sets[@]}" --workers "$shards" \
    ${SEEDS:+--seeds "$SEEDS"} --out "$work/bf16" >> "$work/bf16.log" 2>&1 & bf16=$!
  g3=$work/g3
  {
    if [ ! -f "$work/g3-before.sha256" ]; then
      echo "a finished unit first (seed 5), which the kill must not touch:"
      timeout -k 10 "$t" "${g2run[@]}" --stack 1 --seeds 5 --out "$g3" > "$work/g3-seed5.log" 2>&1
      (cd "$g3" && find logitnorm/seed-5 -type f -print0 | sort -z | xargs -0 sha256sum) > "$work/g3-before.sha256"
      wc -l < "$work/g3-before.sha256"
    fi
    latest=$g3/logitnorm/stack-0-1-2-3-4.partial/checkpoint/latest
    if [ ! -f "$work/g3-killed" ]; then
      setsid "${g2run[@]}" --stack 5 --seeds 0,1,2,3,4 --out "$g3" > "$work/g3-first.log" 2>&1 & run=$!
      # Mid-epoch 3, whatever the speed: at its first progress line (a quarter of the epoch), after epoch 2's checkpoint.
      until grep -q 'epoch 3/[0-9]* \[' "$work/g3-first.log" 2>/dev/null || ! kill -0 "$run" 2>/dev/null; do sleep 0.02; done
      if kill -0 "$run" 2>/dev/null; then
        kill -9 -- "-$run"; wait "$run" 2>/dev/null
        echo "killed with SIGKILL in epoch 3, at: $(grep 'epoch 3/' "$work/g3-first.log" | tail -n 1 | sed 's/ *ETA.*//') (checkpoint after epoch $(cat "$latest"))"
        touch "$work/g3-killed"
        echo "after the kill: finished units of seeds 0-4: $(ls -d "$g3"/logitnorm/seed-[0-4] 2>/dev/null | wc -l); partial files: $(find "$g3" -name '*.tmp' | wc -l) .tmp"
      else
        echo "the run ended before it could be killed mid-epoch 3 (log: g3-first.log)"; tail -n 5 "$work/g3-first.log"
      fi
    fi
    if [ -f "$work/g3-killed" ]; then
      timeout -k 10 "$t" "${g2run[@]}" --stack 5 --seeds 0,1,2,3,4 --out "$g3" > "$work/g3-resume.log" 2>&1
      echo "resumed run exited $?: $(grep -o 'resuming after epoch [0-9]*' "$work/g3-resume.log" | head -n 1)"
      echo "finished units: $(ls -d "$g3"/logitnorm/seed-* 2>/dev/null | grep -vc partial); left half-written: $(find "$g3" -name '*.partial' -o -name '*.tmp' | wc -l)"
      if (cd "$g3" && sha256sum --quiet -c "$work/g3-before.sha256"); then echo "the finished seed-5 unit is byte for byte unchanged"
      else echo "THE FINISHED SEED-5 UNIT CHANGED"; fi
      "${repro[@]}" compare "$g3" "$work/g2-stacked" --repeat "$work/g2-repeat,$work/g2-separate"
      echo "compare exited $?"
    fi
  } > "$final/resume.txt" 2>&1
  head -n 12 "$final/resume.txt"
  wait "$bf16"; status=$?
  [ "$status" -eq 0 ] && [ -f "$work/g3-killed" ] && mark phase-b || echo "phase B did not finish (exit $status): run the script again to resume"
fi

# --- 1 (the entry point itself) and 4 (the comparison) --------------------------------------------------------------
if done_ phase-a && ! done_ entry; then
  echo "== goal 1: the entry point, Category=Repro, unsharded: resumes (every unit finished), judges the bands, writes the report"
  REPRO_DEFINITION=fmnist REPRO_RESULTS="$work/fp32" REPRO_DEVICE="$device" REPRO_SET="${SET:-}" \
    timeout -k 10 "$(( $(left) > 60 ? $(left) : 60 ))" "$tests" -filterVSTest "Category=Repro" -noColor -xml "$final/entry.xml" > "$final/entry.log" 2>&1
  echo "the Repro tests exited $?"; grep -E "\[FAIL\]|Total:" "$final/entry.log"
  cp "$work/fp32/report.html" "$final/" 2>/dev/null
  "${repro[@]}" table --definition "$definition" --from "$work/fp32" > "$final/table-fp32.txt" 2>&1
  mark entry
fi
if done_ phase-b && ! done_ precision; then
  echo "== goal 4: bf16 against fp32, paired by seed"
  "${repro[@]}" table --definition "$definition" --from "$work/bf16" > "$final/table-bf16.txt" 2>&1
  "${repro[@]}" compare "$work/bf16" "$work/fp32" --equivalence experiments/fmnist.bands.json > "$final/bf16-vs-fp32.txt" 2>&1
  echo "compare exited $?"; grep -A 12 "^equivalence" "$final/bf16-vs-fp32.txt"
  mark precision
fi

# Every run's small files (configs, metrics, curves, logs) come back; scores and weights stay (they are large).
(cd "$work" && tar -cJf "$final/runs.tar.xz" --exclude='*.partial' --exclude='scores' --exclude='*.safetensors' \
  --exclude='.locks' --exclude='checkpoint' -- */ *.log 2>/dev/null)
echo "== done: $(ls "$work" | grep -c '^done-') of 5 steps ($(ls "$work" | grep '^done-' | sed 's/done-//' | tr '\n' ' ')); $(left) s of the budget left"
