#!/usr/bin/env bash
# The test command: installs what the tests need, builds, and runs every test project.
# Usage: scripts/test.sh [extra dotnet test args, e.g. --filter FullyQualifiedName~Parser]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/postgres.sh
ensure_test_deps
# Persistence tests run against SQLite files and a real PostgreSQL server.
export EVOACT_TEST_POSTGRES="${EVOACT_TEST_POSTGRES:-$(ensure_postgres)}"

log=$(mktemp)
status=0
# -m:1: one test assembly at a time; real trainings share 2 cores badly (see SerialCollection.cs).
dotnet test EvoAct.sln -c Debug --nologo -m:1 "$@" 2>&1 | tee "$log" || status=$?
# One closing line for the whole suite, summed over the test assemblies.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "Tests: $passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then exit 1; fi
