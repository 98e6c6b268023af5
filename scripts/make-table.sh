#!/usr/bin/env bash
# Builds (or resumes) the exhaustive benchmark table: every genome of the table-fmnist preset's space,
# 2 seeds each, journaled in benchmarks/tables/runs/ (kept out of git). Interrupt it at any time and
# run it again: the run resumes. Each time it ends, the rows so far are exported to
# benchmarks/tables/fmnist-k1.csv (the committed table, partial until the run finishes).
# Usage: scripts/make-table.sh [extra evoact options, e.g. --set trainers.slots=1]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
ensure_run_deps
build_cli "$root"
evoact() { dotnet "$root/src/EvoAct.Cli/bin/Release/net10.0/evoact.dll" "$@"; }
data="$root/benchmarks/tables/runs"
status=0
evoact run --preset table-fmnist --set "run.data=$data" "$@" || status=$?
evoact export --preset table-fmnist --set "run.data=$data" --per-seed --out "$root/benchmarks/tables/fmnist-k1.csv"
exit $status
