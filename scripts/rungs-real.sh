#!/usr/bin/env bash
# Issue 13 §3: a real cpu-proxy search with multi-fidelity rungs against one without, same seed, same
# wall-clock budget. Both run at once, one torch thread and one trainer each, so they share the machine's
# state (and its drift) minute by minute. Each run is journaled in benchmarks/rungs/runs/ (kept out of git)
# and is stopped with SIGTERM when its budget is spent (a clean stop: exit 0, everything settled kept).
# Afterwards each run is exported to benchmarks/rungs/<run>.csv (committed) and the comparison is printed.
# Usage: scripts/rungs-real.sh [minutes, default 45] [extra evoact options for both runs]
# Running it again on an existing journal resumes each run for another budget; delete
# benchmarks/rungs/runs/ to start over.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
ensure_run_deps
build_cli "$root"
minutes="${1:-45}"; shift || true
out="$root/benchmarks/rungs"
data="$out/runs"
mkdir -p "$data"
# A private copy of the build, so that rebuilding the tree meanwhile cannot swap assemblies under the runs.
rm -rf "$data/bin"
cp -r "$root/src/EvoAct.Cli/bin/Release/net10.0" "$data/bin"
evoact() { dotnet "$data/bin/evoact.dll" "$@"; }
common=(--set "run.data=$data" --set training.threads=1 --set trainers.slots=1
        --set evolution.population-size=16 --set evolution.sample-size=4
        --set evolution.max-evaluations=100000 --set evolution.seed=0 --set training.seed=0)
run_one() { # name, extra options...
  local name="$1"; shift
  timeout -s TERM "${minutes}m" dotnet "$data/bin/evoact.dll" run --run "$name" "${common[@]}" "$@" "${extra[@]}" \
    >"$data/$name.log" 2>&1 || { rc=$?; [ "$rc" = 124 ] || [ "$rc" = 0 ] || { echo "$name exited $rc (see $data/$name.log)"; return "$rc"; }; }
}
extra=("$@")
echo "two searches of ${minutes} min each, at once: rungs-off and rungs-on (logs in $data)"
run_one rungs-off & off=$!
run_one rungs-on --set "evolution.fidelity.rungs=[0.125, 0.25, 0.5, 1.0]" --set evolution.fidelity.keep=0.5 & on=$!
status=0
wait "$off" || status=$?
wait "$on" || status=$?
for name in rungs-off rungs-on; do
  evoact export --run "$name" --set "run.data=$data" --out "$out/$name.csv"
done
/usr/bin/python3 "$root/scripts/rungs-report.py" "$out/rungs-off.csv" "$out/rungs-on.csv" | tee "$out/report.md"
exit $status
