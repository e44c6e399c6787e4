#!/usr/bin/env bash
# Runs a definition on a Slurm cluster: a job array of N shards (scripts/slurm/shard.sbatch), then a merge-and-report
# job (scripts/slurm/merge.sbatch) that starts when every shard has finished successfully.
#   usage: scripts/slurm/submit.sh DEFINITION.json OUT_DIR [N [REPRO_RUN_OPTION...]]     (N: shards, default 4)
#   e.g.   REPRO_SBATCH_SHARD="--gres=gpu:1" scripts/slurm/submit.sh experiments/table1.json runs/table1 4 --device cuda
#   leaves: OUT_DIR/shard-i (each shard's units), OUT_DIR/results, OUT_DIR/table.txt, OUT_DIR/site/index.html,
#           OUT_DIR/logs/ (one log per job); prints the two job ids.
# sbatch options from the environment: $REPRO_SBATCH for both jobs (e.g. "--partition=gpu --account=me"),
# $REPRO_SBATCH_SHARD for the shard tasks only (e.g. "--gres=gpu:1 --cpus-per-task=8 --time=12:00:00").
# $REPRO overrides the command (default ./repro, built here once before submitting). The repository and OUT_DIR
# must be on a file system every node sees.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 DEFINITION.json OUT_DIR [N [REPRO_RUN_OPTION...]]" >&2; exit 2; }
definition=$(realpath "$1") out=$(realpath -m "$2") shards=${3:-4}
shift $(($# >= 3 ? 3 : 2))
[[ $shards =~ ^[1-9][0-9]*$ ]] || { echo "$0: N (shards) must be a positive integer, got '$shards'" >&2; exit 2; }
cd "$(dirname "$0")/../.."
[ -n "${REPRO:-}" ] || ./repro --help >/dev/null   # build now, not in N tasks at once
mkdir -p "$out/logs"
shard_job=$(sbatch --parsable --array="1-$shards" --chdir="$PWD" --output="$out/logs/shard-%a.out" \
  ${REPRO_SBATCH:-} ${REPRO_SBATCH_SHARD:-} scripts/slurm/shard.sbatch "$definition" "$out" "$shards" "$@")
merge_job=$(sbatch --parsable --dependency="afterok:${shard_job%%;*}" --kill-on-invalid-dep=yes --chdir="$PWD" \
  --output="$out/logs/merge.out" ${REPRO_SBATCH:-} scripts/slurm/merge.sbatch "$definition" "$out" "$shards")
echo "shards: job $shard_job (array 1-$shards); merge and report: job $merge_job (after all shards succeed)"
