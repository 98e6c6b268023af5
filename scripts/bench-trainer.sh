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
dotnet build "$root/src/EvoAct.Cli" -c Release --nologo -v q -clp:ErrorsOnly >&2
evoact() { dotnet "$root/src/EvoAct.Cli/bin/Release/net10.0/evoact.dll" "$@"; }
steps=${1:-20}
threads=$(nproc)
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])['$2'])" "$1"; }
py=/usr/bin/python3

echo "== 1. ResNet-20, batch 128, 3x32x32, $threads threads, median of $steps steps"
ev=$(evoact bench step --model resnet20 --activation relu --steps "$steps" --threads "$threads")
pt=$($py "$root/scripts/bench/pytorch_step.py" --model resnet20 --activation relu --steps "$steps" --threads "$threads")
e=$(field "$ev" images_per_second); p=$(field "$pt" images_per_second)
printf '%-28s %10.1f img/s\n' "EvoAct (TorchSharp)" "$e"
printf '%-28s %10.1f img/s\n' "$(field "$pt" framework)" "$p"
python3 -c "print(f'ratio EvoAct/PyTorch: {$e/$p:.2f}')"

echo "== 2. Activation cost in ResNet-20 training steps (median of $steps steps)"
step() { field "$(evoact bench step --model resnet20 --activation "$1" --steps "$steps" --threads "$threads")" median_step_seconds; }
relu=$(step relu); silu=$(step silu); swish=$(step "x * sigmoid(beta * x)")
printf '%-28s %8.4f s/step\n' relu "$relu" silu "$silu" "x * sigmoid(beta * x)" "$swish"
python3 -c "print(f'composed swish / SiLU: {$swish/$silu:.3f}   SiLU / ReLU: {$silu/$relu:.3f}')"

echo "== 3. RSS over 50 consecutive evaluations (smoke preset, composed swish)"
r=$(evoact bench rss --evaluations 50 --preset smoke 2>/dev/null)
python3 -c "
import json,sys; r=json.loads(sys.argv[1]); v=r['rss_bytes']
print(f'RSS after 5th: {v[4]/2**20:.1f} MiB, after 50th: {v[-1]/2**20:.1f} MiB, growth {100*r[\"growth_after_5th\"]:+.1f}%')" "$r"
