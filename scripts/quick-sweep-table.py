"""Per budget folder under the sweep's output (scripts/quick-sweep.sh): each seed's ‖z‖ AUROC for L2 and No L2, the
smallest L2 − No L2 gap over seeds, the L2 row's spread (max − min) and the mean unit wall time, as a Markdown table."""
import glob, json, os, sys

out = sys.argv[1]
print("| budget | seeds | L2 AUROC per seed | No L2 AUROC per seed | min gap | L2 spread | unit wall (mean) | machine |")
print("|---|---|---|---|---:|---:|---:|---|")
for d in sorted(glob.glob(os.path.join(out, "*/"))):
    auroc, walls, device = {}, [], ""
    for path in glob.glob(os.path.join(d, "*", "seed-*", "metrics.json")):
        r = json.load(open(path))
        auroc.setdefault(r["row"], {})[r["seed"]] = r["ood"]["mnist"]["feature_norm"]["auroc"]
        walls.append(r["wallSeconds"])
        device = r["device"]
    l2, no = auroc.get("l2", {}), auroc.get("no-l2", {})
    seeds = sorted(set(l2) & set(no)) if no else sorted(l2)
    if not seeds:
        continue
    gap = f"{min(l2[s] - no[s] for s in seeds):.3f}" if no else "—"
    spread = max(l2[s] for s in seeds) - min(l2[s] for s in seeds)
    print(f"| {os.path.basename(d.rstrip('/'))} | {','.join(map(str, seeds))} | {' '.join(f'{l2[s]:.3f}' for s in seeds)} | "
          f"{' '.join(f'{no[s]:.3f}' for s in seeds) if no else '(not run)'} | {gap} | {spread:.3f} | {sum(walls) / len(walls):.0f} s | {device} |")
