#!/usr/bin/env python3
"""Where a CPU train step spends its oneDNN time: reads the log of a run under ONEDNN_VERBOSE=1 (oneDNN 3.x lines as
libtorch 2.x prints them, or 2.x lines as PyTorch 1.13 prints them) and prints ms per step for each kind of primitive,
with the implementations (and so the vector ISA) oneDNN chose. Batch-1 convolutions are the spectral-norm power
iteration's; reorders are layout conversions between PyTorch's NCHW and oneDNN's blocked formats.

  python3 scripts/onednn-breakdown.py LOG STEPS [LABEL]   (STEPS: every step the log holds, warm-up included)
"""
import collections, sys


def category(kind, prop, problem):
    if kind in ("convolution", "deconvolution"):
        if problem.startswith("mb1_") or problem.startswith("mb1ic"):
            return "spectral-norm power iteration (batch 1)"
        return {"forward_training": "convolution forward", "forward_inference": "convolution forward",
                "backward_data": "convolution backward (data)", "backward_weights": "convolution backward (weights)"}.get(prop, f"convolution {prop}")
    return "reorder (layout conversion)" if kind == "reorder" else kind


def main(log, steps, label):
    ms, impls, count = collections.Counter(), collections.defaultdict(set), collections.Counter()
    for line in open(log, errors="replace"):
        if not line.startswith("onednn_verbose") and not line.startswith("dnnl_verbose"):
            continue
        f = line.rstrip("\n").split(",")
        if "exec" not in f:
            continue
        i = f.index("exec")
        kind, impl, prop = f[i + 2], f[i + 3], f[i + 4]
        try:
            t = float(f[-1])
        except ValueError:
            continue
        c = category(kind, prop, f[-2])
        ms[c] += t
        count[c] += 1
        impls[c].add(impl)
    if not ms:
        sys.exit(f"{log}: no oneDNN exec lines (was ONEDNN_VERBOSE=1 set?)")
    print(f"{label}: oneDNN time per step ({steps} steps in the log)")
    print()
    print("| primitive | ms/step | calls/step | implementations |")
    print("|---|---:|---:|---|")
    for c, t in ms.most_common():
        print(f"| {c} | {t / steps:.0f} | {count[c] / steps:.0f} | {', '.join(sorted(impls[c]))} |")
    print(f"| all oneDNN | {sum(ms.values()) / steps:.0f} | {sum(count.values()) / steps:.0f} | |")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else sys.argv[1])
