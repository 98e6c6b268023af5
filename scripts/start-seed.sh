#!/usr/bin/env bash
# Starts the seed node (role coordinator): the population actor runs here as a cluster singleton.
# Usage: scripts/start-seed.sh [--data DIR] [--run NAME] [--port 4053] [--trainers N] [--preset P] [--set k=v]...
# For a coordinator that can move between nodes, use a shared journal: --set persistence.provider=postgres
# --set persistence.connection-string="Host=...;Database=evoact;..." (see README: Cluster).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
exec_evoact seed "$@"
