#!/usr/bin/python3
"""Two short trainings or one long one? (issue 14 §3), and a preset closer to cpu-proxy than the
table's (issue 12 §3), from one set of trainings.

The 50 functions of benchmarks/tables/fmnist-k1-vs-cpu-proxy.csv already have one cpu-proxy training
(600 steps, seed 0). This trains each again on cpu-proxy with `evoact eval`:
  long  seed 1: 600 steps (the preset as it is)
  short seeds 1 and 2: 300 steps, warm-up 15 (half the budget with its own, complete schedule: a
        half-length training, not the half-way point of a long one)
so "one long" (long seed 1) and "two short" (mean of short seeds 1 and 2) cost the same, and both are
independent of the reference, long seed 0. Reports, with seeded bootstrap intervals over functions:
  - Spearman of each estimator with the reference, and their paired difference;
  - Spearman of cpu-proxy at 300 steps (one seed, and the mean of two) with cpu-proxy at 600: the
    agreement of a preset half as costly, against the table's 0.624.
Resumable: results go to OUT as they come, and a rerun trains only what is missing.
Usage: [JOBS=2] scripts/short-vs-long.py [OUT=benchmarks/tables/short-vs-long.csv]"""
import concurrent.futures, csv, json, os, statistics as st, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(root, "scripts/lib"))
from rankstats import bootstrap, kendall, spearman  # noqa: E402

dll = os.environ.get("EVOACT_DLL", os.path.join(root, "src/EvoAct.Cli/bin/Release/net10.0/evoact.dll"))
base = os.path.join(root, "benchmarks/tables/fmnist-k1-vs-cpu-proxy.csv")
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "benchmarks/tables/short-vs-long.csv")
RUNS = [("short", 1, 300, 15), ("short", 2, 300, 15), ("long", 1, 600, 30)]

functions = [r for r in csv.DictReader(open(base)) if r['proxy_accuracy'] != '']
done = {}
if os.path.exists(out):
    for r in csv.DictReader(open(out)):
        done[(r['fingerprint'], r['kind'], r['seed'])] = r
# function by function, so a partial result has whole triples to analyse
todo = [(f, run) for f in functions for run in RUNS if (f['fingerprint'], run[0], str(run[1])) not in done]
def train(f, kind, seed, steps, warmup):
    return subprocess.run(["dotnet", dll, "eval", f['expression'], "--json", "--set", f"training.seed={seed}",
                           "--set", f"training.steps={steps}", "--set", f"training.schedule.warmup-steps={warmup}",
                           "--set", "training.threads=1"], capture_output=True, text=True)


# JOBS single-thread trainings at once (default 2, one per core of our machines); each result is
# written as it comes, so a stop loses at most the trainings in flight.
jobs = int(os.environ.get("JOBS", "2"))
with open(out, 'a', newline='') as fh, concurrent.futures.ThreadPoolExecutor(jobs) as pool:
    w = csv.writer(fh)
    if not done:
        w.writerow(['fingerprint', 'expression', 'kind', 'seed', 'steps', 'accuracy', 'seconds'])
        fh.flush()
    futures = {pool.submit(train, f, *run): (f, run) for f, run in todo}
    for i, fut in enumerate(concurrent.futures.as_completed(futures)):
        f, (kind, seed, steps, warmup) = futures[fut]
        r = fut.result()
        if r.returncode != 0:
            print(f"[{i + 1}/{len(todo)}] {f['expression']} {kind} {seed}: eval failed: {r.stderr.strip()}", flush=True)
            continue
        j = json.loads(r.stdout)
        acc = j.get('validation_accuracy')
        w.writerow([f['fingerprint'], f['expression'], kind, seed, steps, acc if acc is not None else '', j.get('seconds', '')])
        fh.flush()
        done[(f['fingerprint'], kind, str(seed))] = {'accuracy': '' if acc is None else str(acc)}
        print(f"[{i + 1}/{len(todo)}] {kind} seed {seed}: {f['expression']}: {acc}", flush=True)


def value(fp, kind, seed):
    r = done.get((fp, kind, str(seed)))
    return float(r['accuracy']) if r and r['accuracy'] != '' else None


rows = []
for f in functions:
    fp = f['fingerprint']
    s1, s2, l1 = value(fp, 'short', 1), value(fp, 'short', 2), value(fp, 'long', 1)
    if None in (s1, s2, l1):
        continue
    rows.append({'ref': float(f['proxy_accuracy']), 'table': float(f['table_fitness']), 'long': l1, 'short1': s1, 'two_short': (s1 + s2) / 2})
print(f"{len(rows)} of {len(functions)} functions with all three trainings")
if len(rows) < 5:
    sys.exit(0)


def col(name, idx=None):
    return [rows[i][name] for i in (idx if idx is not None else range(len(rows)))]


def report(label, name, against='ref'):
    rho = spearman(col(name), col(against))
    low, high = bootstrap(len(rows), lambda idx: spearman(col(name, idx), col(against, idx)))
    print(f"  {label}: Spearman {rho:.3f} (95% {low:.3f} to {high:.3f}), Kendall {kendall(col(name), col(against)):.3f}")


print("against cpu-proxy, 600 steps, seed 0 (the reference):")
report("one long training (600 steps, seed 1)", 'long')
report("two short trainings (300 steps, seeds 1 and 2, mean)", 'two_short')
report("one short training (300 steps, seed 1)", 'short1')
report("the table (table-fmnist, 2 seeds)", 'table')
diff = spearman(col('two_short'), col('ref')) - spearman(col('long'), col('ref'))
low, high = bootstrap(len(rows), lambda idx: spearman(col('two_short', idx), col('ref', idx)) - spearman(col('long', idx), col('ref', idx)))
print(f"two short minus one long: {diff:+.3f} (paired bootstrap 95% {low:+.3f} to {high:+.3f})")
sd = lambda name: st.stdev(col(name))
within_short = st.mean(abs(v['short1'] - (2 * v['two_short'] - v['short1'])) / 2 ** 0.5 for v in rows)
within_long = st.mean(abs(v['long'] - v['ref']) / 2 ** 0.5 for v in rows)
print(f"mean accuracy: long {st.mean(col('long')):.4f}, short {st.mean(col('short1')):.4f}; between-function sd: long {sd('long'):.4f}, "
      f"short {sd('short1'):.4f}; seed sd (mean |a - b| / sqrt 2): long {within_long:.4f}, short {within_short:.4f}")
