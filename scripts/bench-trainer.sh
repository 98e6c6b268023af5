#!/usr/bin/env bash
# Trainer benchmarks, side by side in one run (figures go to README.md):
#  1. images/s of a ResNet-20 training step, EvoAct (TorchSharp) vs PyTorch (Debian's python3-torch),
#     same network, batch and thread count;
#  2. step time of the composed x * sigmoid(beta * x) vs built-in SiLU vs ReLU;
#  3. RSS over 50 consecutive evaluations in one process.
# Usage: scripts/bench-trainer.sh [steps]   (run it on an otherwise idle machine)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
ensure_test_deps
build_cli "$root"
evoact() { dotnet "$root/src/EvoAct.Cli/bin/Release/net10.0/evoact.dll" "$@"; }
steps=${1:-20}
threads=$(nproc)
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])['$2'])" "$1"; }
py=/usr/bin/python3

# The machines are noisy (throughput drifts by 30% within a minute), so every comparison alternates
# the contenders over several rounds and reports the median of the per-round ratios.
rounds=${ROUNDS:-5}
evo_step() { field "$(evoact bench step --model resnet20 --activation "$1" --steps "$steps" --threads "$threads")" "$2"; }

echo "== 1. ResNet-20 training step, batch 128, 3x32x32, $threads threads: $rounds rounds x median of $steps steps"
ratios=()
for i in $(seq "$rounds"); do
  p=$(field "$($py "$root/scripts/bench/pytorch_step.py" --model resnet20 --activation relu --steps "$steps" --threads "$threads")" images_per_second)
  e=$(evo_step relu images_per_second)
  ratios+=("$(python3 -c "print($e/$p)")")
  printf 'round %d: EvoAct (TorchSharp) %7.1f img/s   PyTorch %s %7.1f img/s   ratio %.3f\n' "$i" "$e" "$($py -c 'import torch; print(torch.__version__)')" "$p" "${ratios[-1]}"
done
python3 -c "import statistics,sys; print(f'median ratio EvoAct/PyTorch: {statistics.median(map(float, sys.argv[1:])):.3f}')" "${ratios[@]}"

echo "== 2. Activation cost in ResNet-20 training steps: $rounds rounds x median of $steps steps"
swish_silu=(); silu_relu=()
for i in $(seq "$rounds"); do
  relu=$(evo_step relu median_step_seconds); silu=$(evo_step silu median_step_seconds); swish=$(evo_step "x * sigmoid(beta * x)" median_step_seconds)
  swish_silu+=("$(python3 -c "print($swish/$silu)")"); silu_relu+=("$(python3 -c "print($silu/$relu)")")
  printf 'round %d: relu %.4f  silu %.4f  x * sigmoid(beta * x) %.4f s/step\n' "$i" "$relu" "$silu" "$swish"
done
python3 -c "
import statistics,sys; n=len(sys.argv)//2; a=list(map(float,sys.argv[1:n+1])); b=list(map(float,sys.argv[n+1:]))
print(f'median composed swish / SiLU: {statistics.median(a):.3f}   median SiLU / ReLU: {statistics.median(b):.3f}')" "${swish_silu[@]}" "${silu_relu[@]}"

echo "== 3. RSS over 50 consecutive evaluations (smoke preset, composed swish)"
r=$(evoact bench rss --evaluations 50 --preset smoke 2>/dev/null)
python3 -c "
import json,sys; r=json.loads(sys.argv[1]); v=r['rss_bytes']
print(f'RSS after 5th: {v[4]/2**20:.1f} MiB, after 50th: {v[-1]/2**20:.1f} MiB, growth {100*r[\"growth_after_5th\"]:+.1f}%')" "$r"
