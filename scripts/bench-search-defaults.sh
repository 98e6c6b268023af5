#!/usr/bin/env bash
# Issue 12 §6: the search's defaults measured on the benchmark table. Each line is one `evoact bench
# search` of a setting beside random search (SEEDS run seeds, default 100, the same for every setting;
# BUDGET trainings, default 300). Prints a Markdown table: median trainings to the table's top 1% with
# its interquartile range, how many seeds got there, the same for the top 0.1%, the median best true
# fitness and free share, and how many times the trainings random search needs (the ratio of the
# medians, with bench search's 95% bootstrap interval over paired seeds).
# Answers come at once (trainers.table-time-scale = 0): with one trainer slot a replay is
# deterministic in its seed, so the waiting changes no result, only the time (about 15 s per 20 seeds).
# Usage: scripts/bench-search-defaults.sh [table.csv]   (SEEDS=100 BUDGET=300; P, S: the base of the mutation
#   rows; MULTI_FIDELITY=0 skips the rungs table of issue 13)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
ensure_run_deps
build_cli "$root"
# A private copy of the build: rebuilding the tree while the grid runs would swap assemblies under it.
bin=$(mktemp -d); trap 'rm -rf "$bin"' EXIT
cp -r "$root/src/EvoAct.Cli/bin/Release/net10.0/." "$bin"
dll="$bin/evoact.dll"
table=${1:-$root/benchmarks/tables/fmnist-k1-300.csv}
seeds=${SEEDS:-100}; budget=${BUDGET:-300}
# One `bench search` as one Markdown row; FORMAT picks the columns: "defaults" (trainings) or "steps" (training steps).
search_row() { # FORMAT label strategy [k=v]...
  local format=$1 label=$2 strategy=$3; shift 3
  local sets=(); for s in "$@"; do sets+=(--set "$s"); done
  local both=$strategy; [ "$format" = defaults ] && [ "$strategy" != random ] && both="random,$strategy"
  dotnet "$dll" bench search --table "$table" --strategy "$both" --seeds "$seeds" --budget "$budget" --set trainers.table-time-scale=0 "${sets[@]}" --json |
    python3 -c "
import json,statistics,sys; r=json.load(sys.stdin); s=r['strategies'][-1]; budget=r['budget']
f=lambda v: '-' if v is None else (f'{v:.4f}' if isinstance(v, float) and v < 1 else f'{v:g}')
def iqr(key):
    v=sorted(budget if x is None else x for x in s[key]); q=statistics.quantiles(v, n=4, method='inclusive')
    return f'{f(s[\"median_\" + key])} ({q[0]:g}-{q[2]:g})'
if sys.argv[1] == 'steps':
    print(f\"| {sys.argv[2]} | {f(s['median_steps_to_top1'])} | {s['reached_top1']}/{s['seeds']} | {f(s['median_best_true_fitness'])} | {f(s['median_returned_true_fitness'])} |\")
else:
    x=s.get('top1_speedup_vs_random'); ratio='-' if not x else f\"{x['ratio']:.2f} ({x['low']:.2f}-{x['high']:.2f})\"
    print(f\"| {sys.argv[2]} | {iqr('trainings_to_top1')} | {s['reached_top1']}/{s['seeds']} | {iqr('trainings_to_top01')} | {s['reached_top01']}/{s['seeds']} | {f(s['median_best_true_fitness'])} | {s['free_share']:.2f} | {ratio} |\")" "$format" "$label"
}
row() { search_row defaults "$@"; }
steps_row() { search_row steps "$@"; }
echo "table $(basename "$table"), $seeds seeds, budget $budget trainings"
echo "| setting | trainings to top 1% (IQR) | reached | to top 0.1% (IQR) | reached | best true fitness | free share | random needs x (95%) |"
echo "|---|---|---|---|---|---|---|---|"
row "random search" random
row "regularized P=100 S=25 (the shipped defaults)" regularized
for p in 10 25 50; do for s in 3 5 10; do
  [ "$s" -lt "$p" ] && row "regularized P=$p S=$s" regularized evolution.population-size=$p evolution.sample-size=$s
done; done
P=${P:-25}; S=${S:-5}
base=(evolution.population-size=$P evolution.sample-size=$S)
row "P=$P S=$S, noise-free answers (trainers.table-answer = mean)" regularized "${base[@]}" trainers.table-answer=mean
row "P=$P S=$S, identity-probability 0" regularized "${base[@]}" mutation.identity-probability=0
row "P=$P S=$S, binary-weight 0.25" regularized "${base[@]}" mutation.binary-weight=0.25
row "P=$P S=$S, binary-weight 0.5" regularized "${base[@]}" mutation.binary-weight=0.5
row "P=$P S=$S, binary-weight 2" regularized "${base[@]}" mutation.binary-weight=2
row "P=$P S=$S, on-failure worst" regularized "${base[@]}" evolution.on-failure=worst
row "P=$P S=$S, deduplicate off" regularized "${base[@]}" evolution.deduplicate=false
row "P=$P S=$S, tournament" tournament "${base[@]}"

[ "${MULTI_FIDELITY:-1}" = 1 ] || exit 0
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
