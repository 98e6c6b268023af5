#!/usr/bin/python3
"""How well a benchmark table's cheap preset ranks functions as cpu-proxy does (issue 12 §3).

Picks N functions spread over the table's ranking (every k-th of those whose seeds all completed),
evaluates each with `evoact eval` on the default preset (cpu-proxy), seed 0, and reports Spearman's
and Kendall's rank correlations between the table's mean fitness and cpu-proxy's validation accuracy,
with a bootstrap interval. Resumable: results go to OUT as they come, and a rerun skips those done.
Usage: scripts/table-rank-check.py TABLE OUT.csv [N=50]"""
import collections, csv, json, os, random, statistics as st, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
dll = os.path.join(root, "src/EvoAct.Cli/bin/Release/net10.0/evoact.dll")
table, out = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 50

rows = list(csv.DictReader(open(table)))
by = collections.defaultdict(list)
for r in rows:
    if r['seed'] != '':
        by[r['fingerprint']].append(r)
ok = {f: v for f, v in by.items() if all(x['status'] == 'completed' for x in v) and len(v) > 1}
ranked = sorted(ok, key=lambda f: -st.mean(float(x['fitness']) for x in ok[f]))
step = max(1, len(ranked) // n)
chosen = ranked[::step][:n]

done = {}
if os.path.exists(out):
    for r in csv.DictReader(open(out)):
        done[r['fingerprint']] = r
with open(out, 'a', newline='') as f:
    w = csv.writer(f)
    if not done:
        w.writerow(['fingerprint', 'expression', 'table_fitness', 'proxy_accuracy', 'proxy_seconds'])
    for i, fp in enumerate(chosen):
        if fp in done:
            continue
        expr = ok[fp][0]['expression']
        r = subprocess.run(["dotnet", dll, "eval", expr, "--json"], capture_output=True, text=True)
        if r.returncode != 0:
            print(f"[{i + 1}/{len(chosen)}] {expr}: eval failed: {r.stderr.strip()}", flush=True)
            continue
        j = json.loads(r.stdout)
        acc = j.get('validation_accuracy')
        tf = st.mean(float(x['fitness']) for x in ok[fp])
        w.writerow([fp, expr, tf, acc if acc is not None else '', j.get('seconds', '')])
        f.flush()
        done[fp] = {'table_fitness': tf, 'proxy_accuracy': acc}
        print(f"[{i + 1}/{len(chosen)}] {expr}: table {tf:.4f}, cpu-proxy {acc}", flush=True)


def ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    i = 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r


def spearman(a, b):
    ra, rb = ranks(a), ranks(b)
    ma, mb = st.mean(ra), st.mean(rb)
    num = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    den = (sum((x - ma) ** 2 for x in ra) * sum((y - mb) ** 2 for y in rb)) ** 0.5
    return num / den


def kendall(a, b):
    c = d = 0
    for i in range(len(a)):
        for j in range(i + 1, len(a)):
            s = (a[i] - a[j]) * (b[i] - b[j])
            c += s > 0
            d += s < 0
    return (c - d) / max(1, c + d)


pairs = [(float(v['table_fitness']), float(v['proxy_accuracy'])) for v in (list(csv.DictReader(open(out)))) if v['proxy_accuracy'] != '']
if len(pairs) >= 3:
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    rng = random.Random(0)
    boot = []
    for _ in range(2000):
        idx = [rng.randrange(len(pairs)) for _ in pairs]
        if len(set(idx)) > 2:
            boot.append(spearman([a[i] for i in idx], [b[i] for i in idx]))
    boot.sort()
    print(f"{len(pairs)} functions: Spearman {spearman(a, b):.3f} (bootstrap 95% {boot[int(0.025 * len(boot))]:.3f}-{boot[int(0.975 * len(boot))]:.3f}), "
          f"Kendall {kendall(a, b):.3f}")
