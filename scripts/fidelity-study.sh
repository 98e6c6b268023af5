#!/usr/bin/env bash
# Issue 14 §1: the fidelity study of the default proxy, cpu-proxy against transfer-cpu-fmnist: the default
# set (the paper's 8, six baselines, 10 random filter-passing genomes of the paper's space), 2 seeds on
# each preset. Journaled in benchmarks/fidelity/runs/ (kept out of git); interrupt it at any time (Ctrl-C,
# SIGTERM) and run it again: only the trainings not done are trained. Each time it ends, the journal is
# copied to benchmarks/fidelity/study.journal.db (committed), from which a clean clone resumes, and its
# report (Markdown, CSV, scatter PNG) to benchmarks/fidelity/: the partial one of a stopped study, the
# whole one once it is complete.
# Two trainings at once, one torch thread each (`--devices cpu:2`): the machine's 2 cores are used
# without OpenMP's barriers; the seconds per evaluation it reports are those of one core.
# Usage: scripts/fidelity-study.sh [extra evoact options]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
ensure_run_deps
build_cli "$root"
out="$root/benchmarks/fidelity"
data="$out/runs"
name=fidelity-cpu-proxy-transfer-cpu-fmnist
mkdir -p "$data"
journal="$out/study.journal.db"
if [ ! -f "$data/evoact.db" ] && [ -f "$journal" ]; then cp "$journal" "$data/evoact.db"; echo "resuming from the committed journal $journal"; fi
# A private copy of the build: rebuilding the tree while the study runs (hours) would swap assemblies under it.
rm -rf "$data/bin"
cp -r "$root/src/EvoAct.Cli/bin/Release/net10.0" "$data/bin"
status=0
dotnet "$data/bin/evoact.dll" fidelity --proxy cpu-proxy --target transfer-cpu-fmnist --seeds 2 --random 10 --name "$name" \
  --data "$data" --devices cpu:2 --set training.threads=1 "$@" || status=$?
/usr/bin/python3 -c 'import sqlite3, sys; s = sqlite3.connect(sys.argv[1]); d = sqlite3.connect(sys.argv[2]); s.backup(d); d.close()' "$data/evoact.db" "$journal"
# The complete report once the study is done; until then the partial one a stop writes (NAME-partial.*).
if [ -f "$data/$name.md" ]; then cp "$data/$name".{md,csv,png} "$out/"; rm -f "$out/$name-partial".{md,csv,png}
elif [ -f "$data/$name-partial.md" ]; then cp "$data/$name-partial".{md,csv,png} "$out/"; fi
exit $status
