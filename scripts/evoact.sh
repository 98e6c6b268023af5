#!/usr/bin/env bash
# The main job: installs what it needs, builds EvoAct (Release), and runs `evoact` with your arguments.
# Usage: scripts/evoact.sh [command and options]   (no arguments: `evoact run`, the evolution on the default preset)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
[ $# -eq 0 ] && set -- run
exec_evoact "$@"
