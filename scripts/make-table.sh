#!/usr/bin/env bash
# Builds (or resumes) an exhaustive benchmark table: every genome of a table preset's space, 2 seeds
# each, journaled in benchmarks/tables/runs/NAME/ (kept out of git). Interrupt it at any time (Ctrl-C,
# SIGTERM) and run it again: the run resumes. Each time it ends, the rows so far are exported to
# benchmarks/tables/NAME.csv (the committed table, partial until the run finishes), and the journal
# is copied to benchmarks/tables/NAME.journal.db (committed too), from which a clean clone resumes.
# Usage: scripts/make-table.sh [NAME] [extra evoact options, e.g. --devices cpu:2 --set training.threads=1]
#   NAME: fmnist-k1 (preset table-fmnist, the default) or fmnist-k1-300 (preset table-fmnist-300)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
name=fmnist-k1
if [ $# -gt 0 ] && [[ "$1" != -* ]]; then name=$1; shift; fi
case "$name" in
  fmnist-k1) preset=table-fmnist ;;
  fmnist-k1-300) preset=table-fmnist-300 ;;
  *) echo "make-table.sh: unknown table '$name' (fmnist-k1 or fmnist-k1-300)" >&2; exit 2 ;;
esac
source "$root/scripts/lib/deps.sh"
ensure_run_deps
build_cli "$root"
data="$root/benchmarks/tables/runs/$name"
# Run from a private copy of the build: rebuilding the tree while the table runs (hours) would swap
# the assemblies under the running process (it then fails every candidate with BadImageFormatException).
mkdir -p "$data"
journal="$root/benchmarks/tables/$name.journal.db"
if [ ! -f "$data/evoact.db" ] && [ -f "$journal" ]; then cp "$journal" "$data/evoact.db"; echo "resuming from the committed journal $journal"; fi
rm -rf "$data/bin"
cp -r "$root/src/EvoAct.Cli/bin/Release/net10.0" "$data/bin"
evoact() { dotnet "$data/bin/evoact.dll" "$@"; }
status=0
evoact run --preset "$preset" --set "run.data=$data" "$@" || status=$?
evoact export --preset "$preset" --set "run.data=$data" --per-seed --out "$root/benchmarks/tables/$name.csv"
# A consistent copy of the journal (SQLite's online backup), while nothing writes it.
/usr/bin/python3 -c 'import sqlite3, sys; s = sqlite3.connect(sys.argv[1]); d = sqlite3.connect(sys.argv[2]); s.backup(d); d.close()' "$data/evoact.db" "$journal"
exit $status
