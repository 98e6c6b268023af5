#!/usr/bin/env python3
"""Is a training seed's luck heritable? (issue 14 §3, on a benchmark table with two seeds per function)

Every candidate of a run trains with the run's one training seed. If that seed's luck (its initialisation
and batch order suiting a function) were shared by functions one mutation apart, evolution would breed
from a lucky family, and a seed per evaluation would help. This measures it: for each function whose two
seeds completed, d = accuracy(seed 0) - accuracy(seed 1); then the Pearson correlation of d between
functions whose genomes differ in exactly one op (parent and child), against random pairs, with
bootstrap 95% intervals (2,000 resamples of the pairs, seeded). stdlib only.
Usage: table-seed-luck.py TABLE.csv"""
import csv, math, random, statistics as st, sys


def pearson(a, b):
    ma, mb = st.mean(a), st.mean(b)
    sa = math.sqrt(sum((x - ma) ** 2 for x in a))
    sb = math.sqrt(sum((y - mb) ** 2 for y in b))
    return sum((x - ma) * (y - mb) for x, y in zip(a, b)) / (sa * sb)


def interval(pairs, d, rng):
    values = sorted(pearson([d[p] for p, _ in s], [d[q] for _, q in s])
                    for s in ([rng.choice(pairs) for _ in pairs] for _ in range(2000)))
    return values[50], values[1949]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    rows = list(csv.DictReader(open(sys.argv[1], newline="")))
    genome_of, acc = {}, {}
    for r in rows:
        genome_of.setdefault(r["genome"], r["fingerprint"])
        if r["seed"] != "" and r["status"] == "completed":
            acc.setdefault(r["fingerprint"], {})[int(r["seed"])] = float(r["fitness"])
    d = {f: v[0] - v[1] for f, v in acc.items() if 0 in v and 1 in v}
    mean = {f: (v[0] + v[1]) / 2 for f, v in acc.items() if 0 in v and 1 in v}
    genomes = [g for g in genome_of if genome_of[g] in d]
    pairs = set()
    for i, g in enumerate(genomes):
        a = g.split()
        for h in genomes[i + 1:]:
            b = h.split()
            if len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1 and genome_of[g] != genome_of[h]:
                pairs.add(tuple(sorted((genome_of[g], genome_of[h]))))
    pairs = sorted(pairs)
    cut = sorted(mean.values())[int(len(mean) * 0.75)]
    top = [(p, q) for p, q in pairs if mean[p] >= cut and mean[q] >= cut]
    rng = random.Random(1)
    functions = sorted(d)
    randoms = [tuple(rng.sample(functions, 2)) for _ in range(len(pairs))]
    print(f"{len(d)} functions with both seeds completed; d = seed 0 - seed 1: mean {st.mean(d.values()):+.4f}, sd {st.stdev(d.values()):.4f}")
    tq = [f for f in d if mean[f] >= cut]
    print(f"top quartile (mean >= {cut:.4f}, {len(tq)} functions): d mean {st.mean(d[f] for f in tq):+.4f}, sd {st.stdev(d[f] for f in tq):.4f}")
    print("| pairs | n | correlation of d | bootstrap 95% |")
    print("|---|---|---|---|")
    for name, ps in (("one mutation apart", pairs), ("one mutation apart, both in the top quartile", top), ("random", randoms)):
        lo, hi = interval(ps, d, rng)
        print(f"| {name} | {len(ps)} | {pearson([d[p] for p, _ in ps], [d[q] for _, q in ps]):+.3f} | {lo:+.3f} to {hi:+.3f} |")


if __name__ == "__main__":
    main()
