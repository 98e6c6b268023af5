#!/usr/bin/python3
"""How well a benchmark table's cheap preset ranks functions as cpu-proxy does (issue 12 §3).

Picks N functions spread over the table's ranking (every k-th of those whose seeds all completed),
evaluates each with `evoact eval` on the default preset (cpu-proxy), seed 0, and reports Spearman's
and Kendall's rank correlations between the table's mean fitness and cpu-proxy's validation accuracy,
with a bootstrap interval. Resumable: results go to OUT as they come, and a rerun skips those done.
Usage: scripts/table-rank-check.py TABLE OUT.csv [N=50]"""
import collections, csv, json, os, statistics as st, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(root, "scripts/lib"))
from rankstats import bootstrap, kendall, spearman  # noqa: E402
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
# The choice depends on the table's state (the committed 50 were picked from the partial table of 188
# functions), so a complete OUT is only analysed: it is never extended with a different choice.
if len(done) >= n:
    chosen = []
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


pairs = [(float(v['table_fitness']), float(v['proxy_accuracy'])) for v in (list(csv.DictReader(open(out)))) if v['proxy_accuracy'] != '']
if len(pairs) >= 3:
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    low, high = bootstrap(len(pairs), lambda idx: spearman([a[i] for i in idx], [b[i] for i in idx]))
    print(f"{len(pairs)} functions: Spearman {spearman(a, b):.3f} (bootstrap 95% {low:.3f}-{high:.3f}), "
          f"Kendall {kendall(a, b):.3f}")
