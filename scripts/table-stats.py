#!/usr/bin/python3
"""Figures of a benchmark table (evoact export --per-seed of an exhaustive run): its size, the
distribution of fitness, the seed noise, the top 10, and where ReLU and Swish-1 rank.
Usage: scripts/table-stats.py benchmarks/tables/fmnist-k1.csv"""
import collections, csv, json, os, statistics as st, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fingerprint(expression):
    """EvoAct's own fingerprint of an expression (evoact inspect), so baselines are found whatever genome spells them."""
    dll = os.path.join(root, "src/EvoAct.Cli/bin/Release/net10.0/evoact.dll")
    out = subprocess.run(["dotnet", dll, "inspect", expression, "--json"], capture_output=True, text=True, check=True).stdout
    return json.loads(out)["fingerprint"]


rows = list(csv.DictReader(open(sys.argv[1])))
trained = [r for r in rows if r['seed'] != '']
by = collections.defaultdict(list)
for r in trained:
    by[r['fingerprint']].append(r)
ok = {f: v for f, v in by.items() if all(x['status'] == 'completed' for x in v)}
means = {f: st.mean(float(x['fitness']) for x in v) for f, v in ok.items()}
print(f"{len(rows)} rows, {len(trained)} trainings, {len(by)} functions, {len(ok)} with every seed completed")
vals = sorted(means.values(), reverse=True)
print("fitness quantiles (max, 90%, 75%, 50%, 25%, 10%, min):",
      [round(vals[int(q * (len(vals) - 1))], 4) for q in (0, 0.1, 0.25, 0.5, 0.75, 0.9, 1)])
sds = [st.stdev(float(x['fitness']) for x in v) for v in ok.values() if len(v) > 1]
if sds:
    print(f"seed sd: median {st.median(sds):.4f}, mean {st.mean(sds):.4f}; between-function sd {st.stdev(vals):.4f}")
ranked = sorted(means.items(), key=lambda kv: -kv[1])
for i, (f, m) in enumerate(ranked[:10]):
    print(f"#{i + 1} {m:.4f} {by[f][0]['expression']} (seeds: {', '.join(x['fitness'] for x in by[f])})")
for name in ('relu(x)', 'x * sigmoid(x)'):
    fp = fingerprint(name)
    hits = [i for i, (f, _) in enumerate(ranked) if f == fp]
    where = "diverged on a seed" if fp in by and fp not in ok else "not in the table (yet)"
    print(f"{name}: " + (f"rank {hits[0] + 1} of {len(ranked)}, {ranked[hits[0]][1]:.4f}" if hits else where))
