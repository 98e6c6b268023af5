#!/usr/bin/env bash
# Coordinator benchmarks (figures go to README.md):
#  1. throughput of the population actor with instant fake trainers on the SQLite journal:
#     evaluations per second, p50/p99 dispatch latency (a free trainer asking -> its next candidate),
#     over the whole run and in the steady state (after the first 20% of evaluations: the random
#     initial population, JIT compilation and table creation);
#  2. scale-out: 1, 2, 4, 8 worker processes on loopback with fake 200 ms trainers, throughput as a
#     share of the ideal (workers / 0.2 s), measured once every worker is busy.
# Usage: scripts/bench-coordinator.sh [evaluations]   (on an otherwise idle machine)
#        ONLY=throughput|scale-out runs one part; WORKERS="1 2 4 8" picks the scale-out sizes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
ensure_run_deps
build_cli "$root"
dll="$root/src/EvoAct.Cli/bin/Release/net10.0/evoact.dll"
evoact() { dotnet "$dll" "$@"; }
work=$(mktemp -d)
trap 'pkill -f "$dll (seed|worker)" 2>/dev/null || true; rm -rf "$work"' EXIT
n=${1:-10000}

if [ "${ONLY:-throughput}" = throughput ]; then
echo "== 1. Coordinator with instant fake trainers, SQLite journal, P=100 S=25, $n evaluations"
for trainers in 1 8; do
  r=$(evoact bench coordinator --data "$work/c$trainers" --run bench --trainers "$trainers" --set evolution.max-evaluations="$n")
  python3 -c "
import json,sys; r=json.loads(sys.argv[1])
for phase in ('whole', 'steady'):
    p = r[phase]
    print(f\"{r['trainers']} trainer(s), {phase:6}: {p['evaluations_per_second']:8.0f} evaluations/s   dispatch p50 {p['dispatch_p50_ms']:6.2f} ms   p99 {p['dispatch_p99_ms']:7.2f} ms   ({p['evaluations']} evaluations)\")" "$r"
done
fi

[ "${ONLY:-scale-out}" = scale-out ] || exit 0
echo "== 2. Scale-out: worker processes on loopback, fake 200 ms trainers"
port=4100
for workers in ${WORKERS:-1 2 4 8}; do
  port=$((port + 1))
  data="$work/s$workers"
  max=$((100 * workers))
  common=(--set trainers.kind=fake --set trainers.fake-delay=200ms --set evolution.population-size=20 --set evolution.sample-size=5
          --set evolution.max-evaluations=$max --set cluster.down-after=5s)
  evoact seed --data "$data" --run scale --port $port --set "cluster.seed-nodes=[\"akka.tcp://evoact@127.0.0.1:$port\"]" "${common[@]}" > "$work/seed$workers.log" 2>&1 &
  seed=$!
  for i in $(seq "$workers"); do
    evoact worker --seed-nodes "akka.tcp://evoact@127.0.0.1:$port" "${common[@]}" > "$work/w$workers-$i.log" 2>&1 &
  done
  wait "$seed"
  evoact export --data "$data" --run scale --format json > "$work/scale$workers.json"
  python3 - "$work/scale$workers.json" "$workers" <<'PY'
import json, sys
from datetime import datetime
rows = [r for r in json.load(open(sys.argv[1]))["evaluations"] if r["status"] == "completed" and r["worker"]]
workers = int(sys.argv[2])
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
first = {}
for r in rows:
    first[r["worker"]] = min(first.get(r["worker"], 1e18), t(r["settled_at"]))
start = max(first.values())  # every worker has delivered once: all are busy from here
# ...until the last candidate is handed out; after that the workers run out of work one by one
end = max(t(r["proposed_at"]) for r in rows)
window = [t(r["settled_at"]) for r in rows if start < t(r["settled_at"]) <= end]
rate = len(window) / (end - start)
ideal = workers / 0.2
print(f"{workers} worker(s): {rate:6.2f} evaluations/s, ideal {ideal:5.1f}, {100 * rate / ideal:5.1f}% of ideal "
      f"({len(window)} evaluations in {end - start:.1f} s with every worker busy; {len(rows)} in all, {len(first)} workers seen)")
PY
  pkill -f "$dll worker" 2>/dev/null || true
  sleep 1
done
