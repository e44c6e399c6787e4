#!/usr/bin/env bash
# Markdown for a CI job summary: for every snapshot mismatch Snapshooter left (…/__snapshots__/__mismatch__/X.snap),
# a unified diff against the committed X.snap, so a reviewer sees what moved without checking out the branch.
#   usage: scripts/snapshot-summary.sh [ROOT]   (ROOT: where to look; default the repository)
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
found=0
while IFS= read -r -d '' received; do
  found=1
  expected="$(dirname "$(dirname "$received")")/$(basename "$received")"
  echo "### Snapshot changed: \`${expected}\`"
  echo '```diff'
  if [ -f "$expected" ]; then diff -u "$expected" "$received" | head -n 120 || true
  else echo "(new snapshot, no committed one)"; head -n 60 "$received"; fi
  echo '```'
done < <(find . -path '*/__snapshots__/__mismatch__/*.snap' -not -path './.git/*' -print0 | sort -z)
[ "$found" = 1 ] || echo "No snapshot mismatches."
