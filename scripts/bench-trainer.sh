#!/usr/bin/env bash
# Trainer benchmarks, side by side in one run (figures go to README.md):
#  1. images/s of a ResNet-20 training step, EvoAct (TorchSharp) vs PyTorch (Debian's python3-torch), in lockstep,
#     same network, batch and thread count;
#  2. step time of x * sigmoid(beta * x) (the fused path) vs built-in SiLU vs ReLU;
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
# MEMORY_FORMAT=channels-last runs both sides in that layout (bench step and pytorch_step.py take the same option).
fmt=${MEMORY_FORMAT:-contiguous}

# Both frameworks run at once as two processes in lockstep (scripts/bench/lockstep.py): one step of
# EvoAct, one of PyTorch, alternately, each waiting while the other steps; a round's figure is the
# median over its pairs of adjacent steps.
lockstep_steps=${LOCKSTEP_STEPS:-30}
evo_lockstep() { echo "dotnet $root/src/EvoAct.Cli/bin/Release/net10.0/evoact.dll bench step --model resnet20 --activation relu --threads $threads --memory-format $fmt --host-memory $1 --lockstep"; }
py_lockstep() { echo "$1 $py $root/scripts/bench/pytorch_step.py --model resnet20 --activation relu --threads $threads --memory-format $fmt --lockstep ${2:-}"; }
torch_version=$($py -c 'import torch; print(torch.__version__)')
# img/s ratio EvoAct/PyTorch = PyTorch step time / EvoAct step time.
lockstep() { python3 "$root/scripts/bench/lockstep.py" --steps "$lockstep_steps" --a "$1" --b "$2" | python3 -c "
import json,sys; d=json.load(sys.stdin); print(1/d['median_ratio_a_to_b'], 1/d['ratio_q3'], 1/d['ratio_q1'], d['a_median_step_seconds'], d['b_median_step_seconds'])"; }
summary() { python3 -c "import statistics,sys; v=sorted(map(float, sys.argv[2:])); print(f'{sys.argv[1]}: median {statistics.median(v):.3f} ({v[0]:.3f}-{v[-1]:.3f})')" "$@"; }

echo "== 1. ResNet-20 training step, batch 128, 3x32x32, $threads threads, $fmt: $rounds rounds x $lockstep_steps steps in lockstep"
# EvoAct as shipped against the PyTorch script as usually written (nn.ReLU(), glibc's defaults), then
# against PyTorch given EvoAct's two CPU choices (in-place ReLU; the allocator settings of
# evoact.training.host-memory = retain): the first is what a user gets, the second says where it comes from.
same_env="env MALLOC_TRIM_THRESHOLD_=2147483647 MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TOP_PAD_=67108864"
r_default=(); r_same=()
for i in $(seq "$rounds"); do
  read -r a lo hi es ps < <(lockstep "$(evo_lockstep retain)" "$(py_lockstep "")")
  r_default+=("$a")
  printf 'round %d: EvoAct (TorchSharp) %6.1f img/s   PyTorch %s %6.1f img/s   img/s ratio %.3f (pairs q1-q3 %.3f-%.3f)\n' "$i" "$(python3 -c "print(128/$es)")" "$torch_version" "$(python3 -c "print(128/$ps)")" "$a" "$lo" "$hi"
  read -r a lo hi es ps < <(lockstep "$(evo_lockstep retain)" "$(py_lockstep "$same_env" --relu-inplace)")
  r_same+=("$a")
  printf '         vs PyTorch with in-place ReLU and the same allocator settings: ratio %.3f (%.3f-%.3f)\n' "$a" "$lo" "$hi"
done
summary "img/s EvoAct/PyTorch" "${r_default[@]}"
summary "img/s EvoAct/PyTorch given EvoAct's CPU choices" "${r_same[@]}"

echo "== 2. Activation cost in ResNet-20 training steps: $rounds rounds x median of $steps steps, interleaved in one process"
# One process per round trains a network per activation and alternates their steps, so the drift
# of the machine hits all three alike; the figure of a round is the median of per-step ratios.
swish_silu=(); silu_relu=()
for i in $(seq "$rounds"); do
  r=$(evoact bench step --model resnet20 --activation silu --activation relu --activation "x * sigmoid(beta * x)" --steps "$steps" --threads "$threads")
  read -r silu relu swish rs rw < <(python3 -c "
import json,sys; d=json.loads(sys.argv[1])['results']
print(d[0]['median_step_seconds'], d[1]['median_step_seconds'], d[2]['median_step_seconds'], 1/d[1]['median_ratio_to_first'], d[2]['median_ratio_to_first'])" "$r")
  swish_silu+=("$rw"); silu_relu+=("$rs")
  printf 'round %d: relu %.4f  silu %.4f  x * sigmoid(beta * x) %.4f s/step   swish/silu %.3f  silu/relu %.3f\n' "$i" "$relu" "$silu" "$swish" "$rw" "$rs"
done
python3 -c "
import statistics,sys; n=len(sys.argv)//2; a=sorted(map(float,sys.argv[1:n+1])); b=sorted(map(float,sys.argv[n+1:]))
print(f'median x * sigmoid(beta * x) / SiLU: {statistics.median(a):.3f} ({a[0]:.3f}-{a[-1]:.3f})   median SiLU / ReLU: {statistics.median(b):.3f} ({b[0]:.3f}-{b[-1]:.3f})')" "${swish_silu[@]}" "${silu_relu[@]}"

echo "== 3. RSS over 50 consecutive evaluations (smoke preset, x * sigmoid(beta * x))"
r=$(evoact bench rss --evaluations 50 --preset smoke 2>/dev/null)
python3 -c "
import json,sys; r=json.loads(sys.argv[1]); v=r['rss_bytes']
print(f'RSS after 5th: {v[4]/2**20:.1f} MiB, after 50th: {v[-1]/2**20:.1f} MiB, growth {100*r[\"growth_after_5th\"]:+.1f}%')" "$r"
