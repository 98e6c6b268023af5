"""Rank statistics for the analysis scripts (the same definitions as EvoAct.Search.Statistics):
average ranks for ties, Spearman's rho, Kendall's tau (ties left out of the count) and a seeded
percentile bootstrap over items."""
import random
import statistics as st


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
    return num / den if den else float('nan')


def kendall(a, b):
    c = d = 0
    for i in range(len(a)):
        for j in range(i + 1, len(a)):
            s = (a[i] - a[j]) * (b[i] - b[j])
            c += s > 0
            d += s < 0
    return (c - d) / max(1, c + d)


def bootstrap(n, statistic, resamples=2000, seed=0):
    """95% percentile interval of statistic(indices) over item indices resampled with replacement."""
    rng = random.Random(seed)
    values = []
    for _ in range(resamples):
        idx = [rng.randrange(n) for _ in range(n)]
        if len(set(idx)) > 2:
            v = statistic(idx)
            if v == v:
                values.append(v)
    values.sort()
    return values[int(0.025 * len(values))], values[int(0.975 * len(values))]
