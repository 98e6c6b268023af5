#!/usr/bin/env bash
# Trainer benchmarks, side by side in one run (figures go to README.md):
#  1. images/s of a ResNet-20 training step, EvoAct (TorchSharp) vs PyTorch (Debian's python3-torch), in lockstep,
#     same network, batch and thread count;
#  2./3. step time of the paper's 8 and 20 random genomes against ReLU, compiled (and composed, the
#     path before the activation compiler), on the cpu-proxy network and on ResNet-20; on an AVX-512
#     machine the compiled ones run at both widths, 16 lanes (the default there) and 8 lanes;
#  4. evoact eval wall time before (composed) and after (compiled) for 5 genomes;
#  5. RSS over 50 consecutive evaluations of different genomes in one process;
#  6. the same activations alone (evoact bench activation: forward and backward over the cpu-proxy
#     network's activation shapes, inputs hot in cache), and the fixed cost per call (--tiny), so that
#     a step's extra time over ReLU's splits into the kernels, the calls and the rest (memory).
# Usage: scripts/bench-trainer.sh [steps]   (run it on an otherwise idle machine)
#   SECTIONS="2 3" runs only those sections; ROUNDS, LOCKSTEP_STEPS, RESNET_ROUNDS, RESNET_STEPS size them.
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

want() { [[ " ${SECTIONS:-1 2 3 4 5 6} " == *" $1 "* ]]; }

if want 1; then
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

fi

# The paper's eight activations (shared/paper/search-space.md) and 20 random filter-passing genomes of
# its K = 2 space, drawn once with `evoact bench genomes --count 20 --seed 2026` and listed here so that
# every run measures the same ones.
paper=("x * sigmoid(beta * x)" "max(x, sigmoid(x))" "cos(x) - x" "min(x, sin(x))" "atan(x)^2 - x" "max(x, tanh(x))" "sinc(x) + x" "x * asinh(x)^2")
random_genomes=(
  "gaussdiff(exp(sigmul(softplus(x), cos(x))), min0(x))" "atan(sigmul(asinh(x), tanh(x))) * sinc(x)" "gaussdiff(beta, gauss(x))"
  "max(sigmoid(mix(min0(x), cosh(x))), sin(x))" "sigmul(relu(x^3 - exp(x)), erf(x))" "gaussdiff(beta, sin(x))^2 * cosh(x)"
  "mix(min(relu(x), atan(x)) + beta, sinc(x))" "erf(sinh(x) - x^3) / (beta * x)" "min(logabs(gaussdiff(beta, abs(x))), min0(x))"
  "sigmoid(max(exp(x), min0(x))) + erf(x)" "gaussdiff(erf(abs(x) * min0(x)), softplus(x))" "min(cosh(min(-x, x^2)), cos(x))"
  "laplacediff(-min(erf(x), sin(x)), x^2)" "laplacediff(min(exp(x), sigmoid(x)), erf(x))" "mix(abs(mix(x + beta, abs(x))), x^3)"
  "atan(x) / beta * gauss(x)" "mix(beta * (logabs(x) / (x + beta)), gauss(x))" "mix((relu(x) - beta)^3, beta * x)"
  "atan(beta * x - logabs(x)) + x^2" "max(relu(cos(x) * beta), asinh(x))")

# One process per round trains a network per activation and alternates their steps, so the drift of
# the machine hits every contender alike; a round's figure per activation is the median over steps of
# its step time over ReLU's. Reported: per activation the median over rounds, and per group the median
# and range over its members.
# The widest vectors the compiled activations run here (512 on AVX-512 machines, where 256 runs too, to compare).
native_bits=$(evoact bench step --model proxy-resnet --batch 2 --size 8 --in-channels 1 --steps 1 --warmup 0 --threads 1 \
  | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d.get("results", [d])[0]["vector_bits"])')
act_cost() {  # NAME ROUNDS STEPS with-composed(0|1) -- bench step args...
  local name=$1 rounds=$2 nsteps=$3 composed=$4; shift 4
  local acts=(--activation relu --vector-bits "$native_bits" --activation silu --vector-bits "$native_bits")
  for a in "${paper[@]}" "${random_genomes[@]}"; do
    acts+=(--activation "$a" --vector-bits "$native_bits")
    if [ "$native_bits" = 512 ]; then acts+=(--activation "$a" --vector-bits 256); fi
    if [ "$composed" = 1 ]; then acts+=(--activation "composed:$a" --vector-bits "$native_bits"); fi
  done
  local out; out=$(mktemp)
  for i in $(seq "$rounds"); do
    evoact bench step "$@" --steps "$nsteps" --warmup 2 --threads "$threads" "${acts[@]}" >> "$out"
    echo "   round $i done" >&2
  done
  python3 - "$out" "$name" "${#paper[@]}" <<'PY'
import json, statistics, sys
path, name, npaper = sys.argv[1], sys.argv[2], int(sys.argv[3])
rounds = [json.loads(l)['results'] for l in open(path) if l.strip()]
def key(r): return (r['kernels'] + (f"-{r['vector_bits']}" if r['kernels'] == 'compiled' else ''), r['activation'])
ratio = {}
for rs in rounds:
    for r in rs[1:]: ratio.setdefault(key(r), []).append(r['median_ratio_to_first'])
relu = statistics.median(rs[0]['median_step_seconds'] for rs in rounds)
print(f"{name}: ReLU step {relu*1000:.1f} ms (median over {len(rounds)} rounds); ratios to ReLU, median over rounds")
order = [key(r) for r in rounds[0][1:]]
for k in order: print(f"  {k[0]:12s} {statistics.median(ratio[k]):6.3f}  {k[1]}")
compiled = sorted({k[0] for k in order if k[0].startswith('compiled')}, reverse=True)
exprs = [k[1] for k in order if k[0] == compiled[0]]
paper, rand = exprs[:npaper], exprs[npaper:]
for kern in compiled + ['composed']:
    for label, group in [("paper's 8", paper), ('20 random genomes', rand)]:
        v = sorted(statistics.median(ratio[(kern, e)]) for e in group if (kern, e) in ratio)
        if v: print(f"  {kern} {label}: median {statistics.median(v):.3f} (range {v[0]:.3f}-{v[-1]:.3f})")
PY
  rm -f "$out"
}

if want 2; then
echo "== 2. Activation cost on the cpu-proxy network (batch 128, 1x28x28): compiled and composed against ReLU, $rounds rounds x $steps steps"
act_cost "cpu-proxy" "$rounds" "$steps" 1 --model proxy-resnet --in-channels 1 --size 28
fi

if want 3; then
echo "== 3. Activation cost on ResNet-20 (batch 128, 3x32x32): compiled against ReLU, ${RESNET_ROUNDS:-3} rounds x ${RESNET_STEPS:-6} steps"
act_cost "ResNet-20" "${RESNET_ROUNDS:-3}" "${RESNET_STEPS:-6}" 0 --model resnet20
fi

if want 4; then
echo "== 4. evoact eval wall time on the cpu-proxy preset, 5 of the random genomes, composed then compiled (alternating)"
for a in "${random_genomes[@]:0:5}"; do
  before=$(field "$(evoact eval "$a" --set training.activation-kernels=composed --json 2>/dev/null)" seconds)
  after=$(field "$(evoact eval "$a" --json 2>/dev/null)" seconds)
  printf '  %6.1f s -> %6.1f s  (%.2fx)  %s\n' "$before" "$after" "$(python3 -c "print($before/$after)")" "$a"
done
fi

if want 5; then
echo "== 5. RSS over 50 consecutive evaluations of different random genomes (smoke preset, compiled)"
r=$(evoact bench rss --evaluations 50 --preset smoke --random-genomes 7 2>/dev/null)
python3 -c "
import json,sys; r=json.loads(sys.argv[1]); v=r['rss_bytes']
print(f'RSS after 5th: {v[4]/2**20:.1f} MiB, after 50th: {v[-1]/2**20:.1f} MiB, growth {100*r[\"growth_after_5th\"]:+.1f}%')" "$r"
fi

if want 6; then
echo "== 6. The activations alone over the cpu-proxy network's 7 activation calls (batch 128): forward + backward, and the fixed cost per call (--tiny), $rounds rounds"
alone=(--activation relu --activation silu)
for a in "${paper[@]}" "${random_genomes[@]}"; do alone+=(--activation "$a"); done
out=$(mktemp)
for i in $(seq "$rounds"); do
  for tiny in "" --tiny; do
    evoact bench activation --model proxy-resnet --in-channels 1 --size 28 --threads "$threads" --rounds 30 $tiny "${alone[@]}" >> "$out"
  done
  echo "   round $i done" >&2
done
python3 - "$out" "${#paper[@]}" <<'PY'
import json, statistics as st, sys
path, npaper = sys.argv[1], int(sys.argv[2])
runs = [json.loads(l) for l in open(path) if l.strip()]
def table(tiny):
    rs = [r['results'] for r in runs if r['tiny'] == tiny]
    # per round: each activation's total minus relu's, in ms; then the median over rounds
    return {a['activation']: st.median(r[k]['total_ms'] - r[0]['total_ms'] for r in rs) for k, a in enumerate(rs[0])}, \
           st.median(r[0]['total_ms'] for r in rs)
big, relu = table(False)
tiny, relu_tiny = table(True)
print(f"relu alone: {relu:.3f} ms for the 7 calls, forward and backward ({relu_tiny:.3f} ms on tiny inputs)")
names = list(big)[1:]
print(f"  {'extra over relu, ms':>20s} {'alone':>7s} {'per-call fixed':>15s}  activation")
for a in names: print(f"  {'':20s} {big[a]:7.3f} {tiny[a]:15.3f}  {a}")
for label, group in [("paper's 8", names[1:1 + npaper]), ("20 random genomes", names[1 + npaper:])]:
    print(f"  {label}: alone median {st.median(big[a] for a in group):.3f} ms (range {min(big[a] for a in group):.3f}-{max(big[a] for a in group):.3f}), "
          f"fixed per step median {st.median(tiny[a] for a in group):.3f} ms")
PY
rm -f "$out"
fi
