#!/usr/bin/env bash
# The reproduction workflow's last job, runnable on any machine: merge the shards' results folders, print Table 1 with
# its band verdicts, write the HTML report (the page GitHub Pages publishes).
#   usage: scripts/merge-and-report.sh DEFINITION.json OUT_DIR SHARD_RESULTS_DIR...
#   leaves: OUT_DIR/results (merged units), OUT_DIR/table.txt, OUT_DIR/site/index.html
# $REPRO overrides the command (default ./repro, which builds on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 3 ] || { echo "usage: $0 DEFINITION.json OUT_DIR SHARD_RESULTS_DIR..." >&2; exit 2; }
definition=$1 out=$2
shift 2
repro=(${REPRO:-./repro})
mkdir -p "$out/site"
"${repro[@]}" merge --into "$out/results" "$@"
"${repro[@]}" table --definition "$definition" --from "$out/results" | tee "$out/table.txt"
"${repro[@]}" report "$out/results" --definition "$definition" -o "$out/site/index.html"
