#!/usr/bin/env bash
# Issue 14 §5, the proof end to end: a real search on the default proxy (cpu-proxy), then its top 3
# (after the final check) transferred with 5 seeds each to transfer-cpu-fmnist against relu, silu,
# swish and the paper's next two, max(x, sigmoid(x)) and cos(x) - x.
#   search:   P 50, S 10 (the best setting to the table's top 0.1% at budget 300), 300 trainings, with
#             multi-fidelity rungs [0.125, 0.25, 0.5, 1] keeping half (every speed-up the project has),
#             then the final check: the top 10 distinct functions train again with 3 new seeds.
#   transfer: 8 activations x 5 seeds.
# Everything is journaled in benchmarks/proof/runs/ (kept out of git); interrupt it at any time (Ctrl-C,
# SIGTERM) and run it again: the search resumes, then the transfer, and only what is not done trains.
# Each time it ends, the journal is copied to benchmarks/proof/proof.journal.db (committed), from which
# a clean clone resumes, and what exists of the results to benchmarks/proof/: the search's export
# (proof.csv), its plots (plots/), the transfer table (proof-transfer.md/.csv) and the found
# activations' PyTorch code (found.py).
# Two trainings at once, one torch thread each (`--devices cpu:2`), as the fidelity study.
# Usage: scripts/proof-search.sh [extra evoact options for the search and the transfer]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
ensure_run_deps
build_cli "$root"
out="$root/benchmarks/proof"
data="$out/runs"
mkdir -p "$data"
journal="$out/proof.journal.db"
if [ ! -f "$data/evoact.db" ] && [ -f "$journal" ]; then cp "$journal" "$data/evoact.db"; echo "resuming from the committed journal $journal"; fi
# A private copy of the build: rebuilding the tree while the proof runs (hours) would swap assemblies under it.
rm -rf "$data/bin"
cp -r "$root/src/EvoAct.Cli/bin/Release/net10.0" "$data/bin"
evoact() { dotnet "$data/bin/evoact.dll" "$@"; }
save() {
  /usr/bin/python3 -c 'import sqlite3, sys; s = sqlite3.connect(sys.argv[1]); d = sqlite3.connect(sys.argv[2]); s.backup(d); d.close()' "$data/evoact.db" "$journal"
}
trap save EXIT
common=(--data "$data" --devices cpu:2 --set training.threads=1)
search=(--run proof --set evolution.population-size=50 --set evolution.sample-size=10 --set evolution.max-evaluations=300
        --set "evolution.fidelity.rungs=[0.125, 0.25, 0.5, 1.0]" --set evolution.fidelity.keep=0.5
        --set evolution.final-check.top=10 --set evolution.final-check.seeds=3)
baselines="relu;silu;swish;max(x, sigmoid(x));cos(x) - x"

echo "search: $data (log in $data/proof.log)"
evoact run "${search[@]}" "${common[@]}" "$@" 2>&1 | tee -a "$data/proof.log"
evoact export --data "$data" --run proof --out "$out/proof.csv"
evoact plot --data "$data" --run proof --out "$out/plots" -k 5
# The run is done once its final check is: only then does the transfer start.
if ! evoact status --data "$data" --run proof --json | /usr/bin/python3 -c 'import json, sys; s = json.load(sys.stdin); sys.exit(0 if s.get("finished") else 1)'; then
  echo "the search is not finished yet: run this script again to resume it"; exit 0
fi
evoact top --data "$data" --run proof -k 3 --json | /usr/bin/python3 -c '
import json, sys
for f in json.load(sys.stdin)["top"][:3]: print(f["expression"])' > "$out/found.txt"
: > "$out/found.py"
while IFS= read -r expr; do evoact export-activation "$expr" --lang python >> "$out/found.py"; echo >> "$out/found.py"; done < "$out/found.txt"

echo "transfer: top 3 and $baselines, 5 seeds each, on transfer-cpu-fmnist"
status=0
evoact transfer --run proof --top 3 --include "$baselines" --preset transfer-cpu-fmnist --runs 5 --name proof-transfer \
  "${common[@]}" "$@" 2>&1 | tee -a "$data/proof-transfer.log" || status=$?
for f in proof-transfer.md proof-transfer.csv proof-transfer.png proof-transfer-partial.md proof-transfer-partial.csv proof-transfer-partial.png; do
  [ -f "$data/$f" ] && cp "$data/$f" "$out/"
done
# Once complete, the partial report of an earlier stop is stale (transfer removed its own copy).
if [ -f "$data/proof-transfer.md" ]; then rm -f "$out"/proof-transfer-partial.*; fi
exit $status
