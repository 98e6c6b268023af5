#!/usr/bin/env bash
# Dashboard benchmark (figures go to README.md): how a page load and a live update scale with the
# size of a run. Two runs in one journal, 1,000 and 10,000 evaluations (instant fake trainers, P=100,
# S=25), one `evoact dashboard` over it; each page is fetched over HTTP (curl) in interleaved rounds,
# the two sizes alternating, and the medians reported with their ratio. "update" is the fetch a page
# makes on each journal change (its live part, ?fragment=1); it arrives at most one poll (1 s) after
# the change is journaled.
# Usage: scripts/bench-dashboard.sh [rounds]   (on an otherwise idle machine)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
ensure_run_deps
build_cli "$root"
dll="$root/src/EvoAct.Cli/bin/Release/net10.0/evoact.dll"
evoact() { dotnet "$dll" "$@"; }
work=$(mktemp -d)
trap 'kill $board 2>/dev/null || true; rm -rf "$work"' EXIT
rounds=${1:-15}
for n in 1000 10000; do
  evoact run --data "$work" --run "r$n" --set trainers.kind=fake --set trainers.fake-delay=0ms --set trainers.slots=8 \
    --set evolution.population-size=100 --set evolution.sample-size=25 --set evolution.max-evaluations=$n > /dev/null
done
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# dotnet itself, not the evoact function: a function in the background is a subshell, and killing it would leave the server running.
dotnet "$dll" dashboard --data "$work" --port "$port" > "$work/board.log" 2>&1 &
board=$!
url="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf "$url/api/runs" > /dev/null && break; sleep 0.2; done
best() { curl -s "$url/api/runs/r$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["best"]["id"])'; }
declare -A pages
for n in 1000 10000; do
  b=$(best $n)
  pages[$n]="run=/runs/r$n update=/runs/r$n?fragment=1 evaluations=/runs/r$n/evaluations evaluation=/runs/r$n/evaluations/$b api-run=/api/runs/r$n api-page=/api/runs/r$n/evaluations?limit=1000 runs=/"
done
# Warm-up: the first request of each page JIT-compiles its code.
for n in 1000 10000; do for p in ${pages[$n]}; do curl -s -o /dev/null "$url${p#*=}"; done; done
for r in $(seq "$rounds"); do
  for n in 1000 10000; do
    for p in ${pages[$n]}; do
      curl -s -o /dev/null -w "$n ${p%%=*} %{time_total} %{size_download}\n" "$url${p#*=}"
    done
  done
done > "$work/times"
python3 - "$work/times" "$rounds" <<'PY'
import sys, statistics, collections
t = collections.defaultdict(list); size = {}
for line in open(sys.argv[1]):
    n, page, s, b = line.split(); t[(n, page)].append(float(s) * 1000); size[(n, page)] = int(b)
print(f"dashboard, {sys.argv[2]} interleaved rounds, median ms (and bytes) per request")
print(f"{'page':12} {'1,000 evaluations':>22} {'10,000 evaluations':>22} {'ratio':>7}")
for page in ["runs", "run", "update", "evaluations", "evaluation", "api-run", "api-page"]:
    a, b = statistics.median(t[("1000", page)]), statistics.median(t[("10000", page)])
    print(f"{page:12} {a:9.1f} ms {size[('1000', page)]:>8} B {b:9.1f} ms {size[('10000', page)]:>8} B {b / a:6.2f}x")
PY
