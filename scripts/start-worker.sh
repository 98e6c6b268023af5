#!/usr/bin/env bash
# Starts a worker node (role trainer) that pulls candidates from the coordinator.
# Usage: scripts/start-worker.sh --seed-nodes akka.tcp://evoact@127.0.0.1:4053 [--trainers N] [--port P] [--set k=v]...
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
exec_evoact worker "$@"
