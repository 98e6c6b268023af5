#!/usr/bin/env python3
"""Where two trainers' oneDNN time goes: sums the exec times of ONEDNN_VERBOSE=1 logs per primitive.

Usage (README, "Where EvoAct's lead over PyTorch comes from"):
  ONEDNN_VERBOSE=1 dotnet src/EvoAct.Cli/bin/Release/net10.0/evoact.dll bench step --model resnet20 \
      --activation relu --threads 2 --steps 12 --warmup 3 > evoact.log
  MALLOC_TRIM_THRESHOLD_=2147483647 MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TOP_PAD_=67108864 ONEDNN_VERBOSE=1 \
      /usr/bin/python3 scripts/bench/pytorch_step.py --model resnet20 --activation relu --relu-inplace \
      --threads 2 --steps 12 --warmup 3 > pytorch.log
  scripts/bench/onednn_time.py evoact.log pytorch.log [--detail N]
Reads oneDNN 2.x and 3.x verbose lines alike (the exec time in ms is the last field)."""
import argparse
import collections
import re


def load(path, detail):
    times, calls = collections.defaultdict(float), collections.Counter()
    for line in open(path):
        if ',exec,' not in line:
            continue
        f = line.strip().split(',')
        i = f.index('exec')
        kind, impl, prop = f[i + 2], f[i + 3], f[i + 4]
        if not detail:
            key = (kind, '' if kind == 'reorder' else prop)
        elif kind == 'reorder':
            # 2.x writes src_f32::blocked:abcd:f0, 3.x src:f32::blocked:abcd::f0: compare the formats only
            key = (kind, impl, ' -> '.join(re.findall(r'blocked:(\w+)', f[i + 5])))
        else:
            key = (kind, impl, prop, next((x for x in f if x.startswith(('mb', 'g'))), ''))
        times[key] += float(f[-1])
        calls[key] += 1
    return times, calls


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('a')
    ap.add_argument('b')
    ap.add_argument('--detail', type=int, default=0, help='list the N costliest primitives by implementation and shape')
    args = ap.parse_args()
    a, na = load(args.a, args.detail)
    b, nb = load(args.b, args.detail)
    keys = sorted(set(a) | set(b), key=lambda k: -(a.get(k, 0) + b.get(k, 0)))
    if args.detail:
        keys = keys[:args.detail]
    print(f"{'ms (a)':>9} {'calls':>6} {'ms (b)':>9} {'calls':>6} {'a/b':>6}  primitive")
    for k in keys:
        ratio = a.get(k, 0) / b[k] if b.get(k) else float('nan')
        print(f"{a.get(k, 0):9.1f} {na.get(k, 0):6d} {b.get(k, 0):9.1f} {nb.get(k, 0):6d} {ratio:6.3f}  {' '.join(k)}")
    print(f"{sum(a.values()):9.1f} {'':6} {sum(b.values()):9.1f} {'':6} {sum(a.values()) / sum(b.values()):6.3f}  total")


if __name__ == '__main__':
    main()
