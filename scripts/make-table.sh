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
data="$root/benchmarks/tables/runs"
# Run from a private copy of the build: rebuilding the tree while the table runs (hours) would swap
# the assemblies under the running process (it then fails every candidate with BadImageFormatException).
mkdir -p "$data"
rm -rf "$data/bin"
cp -r "$root/src/EvoAct.Cli/bin/Release/net10.0" "$data/bin"
evoact() { dotnet "$data/bin/evoact.dll" "$@"; }
status=0
evoact run --preset table-fmnist --set "run.data=$data" "$@" || status=$?
evoact export --preset table-fmnist --set "run.data=$data" --per-seed --out "$root/benchmarks/tables/fmnist-k1.csv"
exit $status
