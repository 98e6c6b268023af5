namespace EvoAct.Search.Statistics;

/// <summary>
/// How well one ranking predicts another: Spearman's rho (Pearson on average ranks, so ties share
/// their rank), Kendall's tau-b (which corrects for ties on either side), and a percentile bootstrap
/// interval over the paired items. Pure, so its answers are tested on sets whose answers are known.
/// </summary>
public static class RankCorrelation
{
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        SameLength(x, y);
        return Pearson(Ranks(x), Ranks(y));
    }

    /// <summary>tau-b = (concordant - discordant) / sqrt((n0 - ties in x) (n0 - ties in y)), n0 = n(n-1)/2; NaN when either side is all ties.</summary>
    public static double KendallTauB(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        SameLength(x, y);
        long concordant = 0, discordant = 0, tiesX = 0, tiesY = 0, pairs = 0;
        for (int i = 0; i < x.Count; i++)
            for (int j = i + 1; j < x.Count; j++)
            {
                pairs++;
                int dx = Math.Sign(x[i] - x[j]), dy = Math.Sign(y[i] - y[j]);
                if (dx == 0) tiesX++;
                if (dy == 0) tiesY++;
                if (dx == 0 || dy == 0) continue;
                if (dx == dy) concordant++; else discordant++;
            }
        double denominator = Math.Sqrt((double)(pairs - tiesX) * (pairs - tiesY));
        return denominator == 0 ? double.NaN : (concordant - discordant) / denominator;
    }

    /// <summary>1-based ranks, ties given the mean of the ranks they span.</summary>
    public static double[] Ranks(IReadOnlyList<double> v)
    {
        var order = Enumerable.Range(0, v.Count).OrderBy(i => v[i]).ToArray();
        var ranks = new double[v.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && v[order[end + 1]] == v[order[start]]) end++;
            double rank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = rank;
            start = end + 1;
        }
        return ranks;
    }

    /// <summary>NaN when either side is constant.</summary>
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        SameLength(x, y);
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Count; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>
    /// A percentile bootstrap interval of <paramref name="statistic"/>: the pairs resampled with
    /// replacement <paramref name="resamples"/> times (seeded, so a report is reproducible);
    /// resamples where the statistic is undefined (all ties) are left out.
    /// </summary>
    public static (double Low, double High) Bootstrap(IReadOnlyList<double> x, IReadOnlyList<double> y,
        Func<IReadOnlyList<double>, IReadOnlyList<double>, double> statistic, int resamples = 2000, double level = 0.95, ulong seed = 1)
    {
        SameLength(x, y);
        if (x.Count < 2) return (double.NaN, double.NaN);
        var rng = new Rng(seed);
        var values = new List<double>(resamples);
        var bx = new double[x.Count];
        var by = new double[y.Count];
        for (int b = 0; b < resamples; b++)
        {
            for (int i = 0; i < x.Count; i++)
            {
                int k = rng.Next(x.Count);
                (bx[i], by[i]) = (x[k], y[k]);
            }
            double s = statistic(bx, by);
            if (double.IsFinite(s)) values.Add(s);
        }
        if (values.Count == 0) return (double.NaN, double.NaN);
        values.Sort();
        double tail = (1 - level) / 2;
        return (Quantile(values, tail), Quantile(values, 1 - tail));
    }

    /// <summary>Linear interpolation between the order statistics of a sorted list.</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        double position = q * (sorted.Count - 1);
        int low = (int)Math.Floor(position), high = (int)Math.Ceiling(position);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }

    static void SameLength(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"paired samples differ in length: {x.Count} and {y.Count}");
    }
}
