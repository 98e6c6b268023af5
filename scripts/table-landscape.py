#!/usr/bin/env python3
"""How much can a mutation-based search gain on a benchmark table? (issue 12 §6)

Evolution beats random search only as far as good parents have good children. This measures it on a
K = 1 table (genome "u1 u2 b"): the chance that one mutation of a parent lands in the table's top 1%,
for parents from the top 2/5/10/25% (outside the top 1% itself), against the chance that a random
genome does. EvoAct's mutation changes one slot (Mutator: a unary slot with probability
unary-weight / (unary-weight + binary-weight), then one of the two slots and another op uniformly; else
the binary op), so unary and binary mutations are reported apart and combined with the default
weights 1 and 1. Also: the rank correlation of fitness between genomes one mutation apart (all
pairs, and pairs inside the top 10%, against random pairs there), and the local optima.
Fitness is true fitness (the mean over the table's seeds); a function that diverged on a seed counts
as below everything. Top 1% as `evoact bench search` counts it: the best ceil(1%) of the functions with
a true fitness. stdlib only.
Usage: table-landscape.py TABLE.csv"""
import csv, math, os, random, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from rankstats import spearman  # noqa: E402


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    rows = list(csv.DictReader(open(sys.argv[1], newline="")))
    fingerprint, seeds, rejected = {}, {}, set()
    for r in rows:
        fingerprint.setdefault(r["genome"], r["fingerprint"])
        if r["status"] == "rejected":
            rejected.add(r["genome"])
        if r["seed"] != "":
            seeds.setdefault(r["fingerprint"], []).append(float(r["fitness"]) if r["status"] == "completed" else None)
    true = {f: sum(v) / len(v) for f, v in seeds.items() if all(x is not None for x in v)}
    genomes = [g for g in fingerprint if g not in rejected and fingerprint[g] in seeds]
    if any(len(g.split()) != 3 for g in genomes):
        sys.exit("table-landscape.py: a K = 1 table (genomes 'u1 u2 b') is expected")
    unary = sorted({g.split()[0] for g in fingerprint} | {g.split()[1] for g in fingerprint})
    binary = sorted({g.split()[2] for g in fingerprint})
    ranked = sorted(true.values(), reverse=True)

    def threshold(share):
        return ranked[min(len(ranked), max(1, math.ceil(share * len(ranked)))) - 1]

    def fit(g):
        return true.get(fingerprint.get(g), -1.0)

    def neighbours(g, kind):
        p = g.split()
        for slot, ops in ([(0, unary), (1, unary)] if kind == "unary" else [(2, binary)]):
            for op in ops:
                if op != p[slot]:
                    q = p.copy()
                    q[slot] = op
                    if " ".join(q) in fingerprint:
                        yield " ".join(q)

    top1 = threshold(0.01)
    hits = [g for g in genomes if fit(g) >= top1]
    print(f"{sys.argv[1]}: {len(seeds)} functions ({len(true)} with a true fitness), {len(genomes)} filter-passing genomes")
    print(f"top 1%: true fitness >= {top1:.4f}, {sum(1 for v in true.values() if v >= top1)} functions, {len(hits)} genomes")
    p_random = len(hits) / len(genomes)
    print(f"a random genome is in the top 1%: {p_random:.4f}")
    print()
    print("| parents (outside the top 1%) | n | P(top 1%), unary mutation | binary mutation | weights 1/1 | / random |")
    print("|---|---|---|---|---|---|")
    for share in (0.02, 0.05, 0.10, 0.25):
        t = threshold(share)
        parents = [g for g in genomes if t <= fit(g) < top1]
        rate = {}
        for kind in ("unary", "binary"):
            per = [sum(fit(n) >= top1 for n in ns) / len(ns) for ns in (list(neighbours(g, kind)) for g in parents) if ns]
            rate[kind] = sum(per) / len(per) if per else float("nan")
        both = 0.5 * rate["unary"] + 0.5 * rate["binary"]
        print(f"| top {share:.0%} | {len(parents)} | {rate['unary']:.4f} | {rate['binary']:.4f} | {both:.4f} | {both / p_random:.1f}x |")
    print()
    scored = [g for g in genomes if fingerprint[g] in true]
    pairs = [(g, n) for g in scored for kind in ("unary", "binary") for n in neighbours(g, kind) if fingerprint[n] in true]
    print(f"fitness of genomes one mutation apart, Spearman: {spearman([fit(a) for a, _ in pairs], [fit(b) for _, b in pairs]):.3f} ({len(pairs)} ordered pairs)")
    t10 = threshold(0.10)
    upper = [g for g in scored if fit(g) >= t10]
    inside = [(a, b) for a, b in pairs if fit(a) >= t10 and fit(b) >= t10]
    rng = random.Random(1)
    shuffled = [(rng.choice(upper), rng.choice(upper)) for _ in range(len(inside))]
    print(f"inside the top 10%: one mutation apart {spearman([fit(a) for a, _ in inside], [fit(b) for _, b in inside]):.3f} ({len(inside)} pairs), "
          f"random pairs {spearman([fit(a) for a, _ in shuffled], [fit(b) for _, b in shuffled]):.3f}")
    optima = [g for g in scored if all(fit(n) <= fit(g) for kind in ("unary", "binary") for n in neighbours(g, kind))]
    print(f"local optima (no neighbour better): {len(optima)} genomes; the best: " +
          ", ".join(f"{g} {fit(g):.4f}" for g in sorted(optima, key=fit, reverse=True)[:8]))


if __name__ == "__main__":
    main()
