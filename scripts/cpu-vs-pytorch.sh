#!/usr/bin/env bash
# Our CPU train step against PyTorch's, side by side in one run (issue 32, goal 0): Table 1's four distinct steps at
# CIFAR's shape (3×32×32, width 64, fp32, batch 128; the 350-epoch rows take their 60-epoch row's step), in alternating
# rounds so drift hits every system alike, then per row the median img/s and the ratios. Five systems:
#   ours            `repro bench --device cpu`, the default reproducible CPU mode (AVX2 kernels pinned)
#   ours native     the same under REPRO_CPU=native (oneDNN at the CPU's own ISA; numbers differ between CPUs)
#   PyTorch         scripts/peer/train_step.py, eager, as a user runs it (glibc's default malloc)
#   PyTorch+malloc  the same with Repro's allocator settings (Platform/NativeAllocator.cs) through glibc's variables
#   PyTorch+malloc AVX2  and with oneDNN held to AVX2 as ours is: the same kernels, so what is left is the framework
# Every system runs at the machine's core count. Then one run of L2 60 under ONEDNN_VERBOSE for ours and PyTorch+malloc
# says where the step's time goes (scripts/onednn-breakdown.py).
#   usage: scripts/cpu-vs-pytorch.sh   (OUT: where the JSON and ratio.md go; ROUNDS, STEPS, WARMUP, ROWS, REPRO_PYTHON)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/repro-cpu-vs-pytorch}
rounds=${ROUNDS:-3}
steps=${STEPS:-5}
warmup=${WARMUP:-2}
rows=${ROWS:-logitnorm-60,logitnorm-60-plus,l2-60,no-l2-60}
python=${REPRO_PYTHON:-/usr/bin/python3}
threads=$(nproc)
malloc=(MALLOC_MMAP_MAX_=0 MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=536870912)
mkdir -p "$out"
# usage: peer|ours ROWS STEPS WARMUP JSON|- [VARIABLE=VALUE...]
peer() { env "${@:5}" "$python" scripts/peer/train_step.py --device cpu --threads "$threads" --rows "$1" --batch 128 --modes fp32 \
  --steps "$2" --warmup "$3" $([ "$4" = - ] || echo --json "$4"); }
ours() { env "${@:5}" ./repro bench --device cpu --rows "$1" --batch 128 --precision fp32 --steps "$2" --warmup "$3" \
  $([ "$4" = - ] || echo --json "$4"); }
./repro --version >/dev/null   # builds once if sources changed, outside the timings
for ((r = 1; r <= rounds; r++)); do
  echo "round $r of $rounds" >&2
  peer "$rows" "$steps" "$warmup" "$out/pytorch-$r.json" >&2
  peer "$rows" "$steps" "$warmup" "$out/pytorch-malloc-$r.json" "${malloc[@]}" >&2
  peer "$rows" "$steps" "$warmup" "$out/pytorch-malloc-avx2-$r.json" "${malloc[@]}" ONEDNN_MAX_CPU_ISA=AVX2 >&2
  ours "$rows" "$steps" "$warmup" "$out/ours-$r.json" >&2
  ours "$rows" "$steps" "$warmup" "$out/ours-native-$r.json" REPRO_CPU=native >&2
done
echo "oneDNN breakdown of L2 60 (1 warm-up + 2 steps each)" >&2
ours l2-60 2 1 - ONEDNN_VERBOSE=1 > "$out/ours-l2-60.onednn.log" 2>&1
peer l2-60 2 1 - ONEDNN_VERBOSE=1 "${malloc[@]}" > "$out/pytorch-malloc-l2-60.onednn.log" 2>&1
"$python" - "$out" "$rounds" "$steps" "$warmup" <<'PY' | tee "$out/ratio.md"
import json, statistics, sys, re, subprocess
out, rounds, steps, warmup = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def rates(system):
    by_row = {}
    for r in range(1, rounds + 1):
        for t in json.load(open(f"{out}/{system}-{r}.json")):
            by_row.setdefault(t["row"], []).append(t["imagesPerSecond"])
    return by_row
systems = {s: rates(s) for s in ("ours", "pytorch", "pytorch-malloc", "pytorch-malloc-avx2", "ours-native")}
cpu = open("/proc/cpuinfo").read()
flags = set(re.search(r"flags\s*:\s*(.*)", cpu).group(1).split())
isa = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
model = re.search(r"model name\s*:\s*(.*)", cpu).group(1)
torch = json.load(open(f"{out}/pytorch-1.json"))[0]
ours = json.load(open(f"{out}/ours-1.json"))[0]
print(f"CPU train step, batch 128 of 3×32×32, width 64, fp32: {model}, {isa}; ours: {ours['device']};")
print(f"PyTorch {torch['torch']} eager, {torch['device']}. {rounds} alternating rounds of {warmup} warm-up + {steps} timed steps; median img/s.")
print()
print("| row | ours img/s | PyTorch img/s | **ours ÷ PyTorch** |")
print("|---|---:|---:|---:|")
med = {s: {row: statistics.median(v) for row, v in d.items()} for s, d in systems.items()}
for row in systems["ours"]:
    print(f"| {row} | {med['ours'][row]:.1f} | {med['pytorch'][row]:.1f} | **{med['ours'][row] / med['pytorch'][row]:.2f}** |")
print()
print("Levelled: PyTorch with Repro's allocator settings (+malloc), and also with oneDNN held to AVX2 as ours is; ours native")
print("(REPRO_CPU=native, oneDNN at the CPU's ISA) against PyTorch+malloc at its own ISA.")
print()
print("| row | PyTorch+malloc | ours ÷ it | PyTorch+malloc, AVX2 | ours ÷ it | ours native | native ÷ PyTorch+malloc |")
print("|---|---:|---:|---:|---:|---:|---:|")
for row in systems["ours"]:
    o, m, a, n = (med[s][row] for s in ("ours", "pytorch-malloc", "pytorch-malloc-avx2", "ours-native"))
    print(f"| {row} | {m:.1f} | {o / m:.2f} | {a:.1f} | {o / a:.2f} | {n:.1f} | {n / m:.2f} |")
print()
print("Every round (img/s):")
print()
print("| row | " + " | ".join(systems) + " |")
print("|---|" + "---|" * len(systems))
for row in systems["ours"]:
    print(f"| {row} | " + " | ".join(", ".join(f"{x:.1f}" for x in systems[s][row]) for s in systems) + " |")
print()
for log, label in (("ours-l2-60", "ours (reproducible), L2 60"), ("pytorch-malloc-l2-60", "PyTorch+malloc, L2 60")):
    print(subprocess.run([sys.executable, "scripts/onednn-breakdown.py", f"{out}/{log}.onednn.log", "3", label],
                         check=True, capture_output=True, text=True).stdout)
PY
