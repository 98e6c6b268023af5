#!/usr/bin/env bash
# The README's dashboard screenshots (docs/dashboard-*.png): two fake-trainer runs (aging evolution
# and random search, 600 trainings each) in one journal, the dashboard over it, and headless chromium.
# Usage: scripts/dashboard-screenshots.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
ensure_run_deps
apt_install chromium
build_cli "$root"
dll="$root/src/EvoAct.Cli/bin/Release/net10.0/evoact.dll"
evoact() { dotnet "$dll" "$@"; }
work=$(mktemp -d)
trap 'kill $board 2>/dev/null || true; rm -rf "$work"' EXIT
for strategy in regularized random; do
  evoact run --data "$work" --run "$strategy-demo" --set trainers.kind=fake --set trainers.fake-delay=0ms --set trainers.slots=4 \
    --set evolution.strategy=$strategy --set evolution.population-size=50 --set evolution.sample-size=10 --set evolution.max-evaluations=600 > /dev/null
done
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# dotnet itself, not the evoact function: a function in the background is a subshell, and killing it would leave the server running.
dotnet "$dll" dashboard --data "$work" --port "$port" > /dev/null 2>&1 &
board=$!
url="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf "$url/api/runs" > /dev/null && break; sleep 0.2; done
best=$(curl -s "$url/api/runs/regularized-demo" | python3 -c 'import json,sys; print(json.load(sys.stdin)["best"]["id"])')
shot() { chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="$2" --screenshot="$root/docs/$1" "$url$3" 2>/dev/null; echo "docs/$1"; }
shot dashboard-runs.png 1280,640 /
shot dashboard-run.png 1280,1900 /runs/regularized-demo
shot dashboard-evaluation.png 1280,1400 "/runs/regularized-demo/evaluations/$best"
