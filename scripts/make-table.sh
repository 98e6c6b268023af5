#!/usr/bin/env bash
# Builds (or resumes) the exhaustive benchmark table: every genome of the table-fmnist preset's space,
# 2 seeds each, journaled in benchmarks/tables/runs/ (kept out of git). Interrupt it at any time (Ctrl-C,
# SIGTERM) and run it again: the run resumes. Each time it ends, the rows so far are exported to
# benchmarks/tables/fmnist-k1.csv (the committed table, partial until the run finishes), and the journal
# is copied to benchmarks/tables/fmnist-k1.journal.db (committed too), from which a clean clone resumes.
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
journal="$root/benchmarks/tables/fmnist-k1.journal.db"
if [ ! -f "$data/evoact.db" ] && [ -f "$journal" ]; then cp "$journal" "$data/evoact.db"; echo "resuming from the committed journal $journal"; fi
rm -rf "$data/bin"
cp -r "$root/src/EvoAct.Cli/bin/Release/net10.0" "$data/bin"
evoact() { dotnet "$data/bin/evoact.dll" "$@"; }
status=0
evoact run --preset table-fmnist --set "run.data=$data" "$@" || status=$?
evoact export --preset table-fmnist --set "run.data=$data" --per-seed --out "$root/benchmarks/tables/fmnist-k1.csv"
# A consistent copy of the journal (SQLite's online backup), while nothing writes it.
/usr/bin/python3 -c 'import sqlite3, sys; s = sqlite3.connect(sys.argv[1]); d = sqlite3.connect(sys.argv[2]); s.backup(d); d.close()' "$data/evoact.db" "$journal"
exit $status
