#!/usr/bin/env bash
# Issue 12 §6: the search's defaults measured on the benchmark table. Each line is one `evoact bench
# search` (20 run seeds unless SEEDS says otherwise, BUDGET trainings, default 300) of a setting
# against the same seeds; random search is the baseline. Prints a Markdown table: median trainings
# to the table's top 1% and top 0.1% (a seed that never got there counts as the budget), how many
# seeds got there, the median best true fitness and the free share.
# Usage: scripts/bench-search-defaults.sh [table.csv]   (SEEDS=20 BUDGET=300)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
ensure_run_deps
build_cli "$root"
dll="$root/src/EvoAct.Cli/bin/Release/net10.0/evoact.dll"
table=${1:-$root/benchmarks/tables/fmnist-k1.csv}
seeds=${SEEDS:-20}; budget=${BUDGET:-300}
# One `bench search` as one Markdown row; FORMAT picks the columns: "defaults" (trainings) or "steps" (training steps).
search_row() { # FORMAT label strategy [k=v]...
  local format=$1 label=$2 strategy=$3; shift 3
  local sets=(); for s in "$@"; do sets+=(--set "$s"); done
  dotnet "$dll" bench search --table "$table" --strategy "$strategy" --seeds "$seeds" --budget "$budget" "${sets[@]}" --json |
    python3 -c "
import json,sys; r=json.load(sys.stdin); s=r['strategies'][0]
f=lambda v: '-' if v is None else (f'{v:.4f}' if isinstance(v, float) and v < 1 else f'{v:g}')
if sys.argv[1] == 'steps':
    print(f\"| {sys.argv[2]} | {f(s['median_steps_to_top1'])} | {s['reached_top1']}/{s['seeds']} | {f(s['median_best_true_fitness'])} | {f(s['median_returned_true_fitness'])} |\")
else:
    print(f\"| {sys.argv[2]} | {f(s['median_trainings_to_top1'])} | {s['reached_top1']}/{s['seeds']} | {f(s['median_trainings_to_top01'])} | {s['reached_top01']}/{s['seeds']} | {f(s['median_best_true_fitness'])} | {s['free_share']:.2f} |\")" "$format" "$label"
}
row() { search_row defaults "$@"; }
steps_row() { search_row steps "$@"; }
echo "table $(basename "$table"), $seeds seeds, budget $budget trainings"
echo "| setting | trainings to top 1% | reached | to top 0.1% | reached | best true fitness | free share |"
echo "|---|---|---|---|---|---|---|"
row "random search" random
for p in 10 25 50; do for s in 3 5 10; do
  [ "$s" -lt "$p" ] && row "regularized P=$p S=$s" regularized evolution.population-size=$p evolution.sample-size=$s
done; done
P=${P:-25}; S=${S:-5}
base=(evolution.population-size=$P evolution.sample-size=$S)
row "P=$P S=$S, identity-probability 0" regularized "${base[@]}" mutation.identity-probability=0
row "P=$P S=$S, binary-weight 0.5" regularized "${base[@]}" mutation.binary-weight=0.5
row "P=$P S=$S, binary-weight 2" regularized "${base[@]}" mutation.binary-weight=2
row "P=$P S=$S, on-failure worst" regularized "${base[@]}" evolution.on-failure=worst
row "P=$P S=$S, deduplicate off" regularized "${base[@]}" evolution.deduplicate=false
row "P=$P S=$S, tournament" tournament "${base[@]}"

# Issue 13 §2: multi-fidelity on the same table, compute counted in training steps (a full training: the table's steps).
echo
echo "multi-fidelity, P=$P S=$S: compute in training steps (budget $budget full trainings)"
echo "| setting | training steps to top 1% | reached | best true fitness | returned true fitness |"
echo "|---|---|---|---|---|"
steps_row "regularized, no rungs" regularized "${base[@]}"
steps_row "random, no rungs" random
for rungs in "0.125/0.25/0.5/1" "0.25/1" "0.125/0.5/1"; do for keep in 0.3 0.5 0.7; do
  steps_row "regularized rungs $rungs keep $keep" "regularized+rungs=$rungs@$keep" "${base[@]}"
done; done
steps_row "random rungs 0.125/0.25/0.5/1 keep 0.5 (Hyperband-like bracket)" "random+rungs=0.125/0.25/0.5/1@0.5"
