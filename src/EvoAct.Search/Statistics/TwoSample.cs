namespace EvoAct.Search.Statistics;

/// <summary>
/// Is one activation better than another over a few seeds? Two independent samples (test accuracies
/// of two activations, one per seed) compared by the difference of their medians, with a percentile
/// bootstrap interval, and by the Mann-Whitney (Wilcoxon rank-sum) test, its p-value exact: with 5
/// seeds a side a normal approximation would be too rough, and a permutation count is cheap. Pure, so
/// its answers are tested on samples whose answers are known.
/// </summary>
public static class TwoSample
{
    public static double Median(IReadOnlyList<double> v)
    {
        if (v.Count == 0) throw new ArgumentException("the median of an empty sample");
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    /// <summary>
    /// A percentile bootstrap interval of median(a) - median(b): each sample resampled with replacement
    /// on its own (they are independent: different activations, different trainings), seeded so a
    /// report is reproducible.
    /// </summary>
    public static (double Low, double High) MedianDifferenceInterval(IReadOnlyList<double> a, IReadOnlyList<double> b,
        int resamples = 2000, double level = 0.95, ulong seed = 1)
    {
        if (a.Count == 0 || b.Count == 0) return (double.NaN, double.NaN);
        var rng = new Rng(seed);
        var values = new double[resamples];
        var ra = new double[a.Count];
        var rb = new double[b.Count];
        for (int r = 0; r < resamples; r++)
        {
            for (int i = 0; i < ra.Length; i++) ra[i] = a[rng.Next(a.Count)];
            for (int i = 0; i < rb.Length; i++) rb[i] = b[rng.Next(b.Count)];
            values[r] = Median(ra) - Median(rb);
        }
        Array.Sort(values);
        double tail = (1 - level) / 2;
        return (RankCorrelation.Quantile(values, tail), RankCorrelation.Quantile(values, 1 - tail));
    }

    /// <summary>
    /// The exact two-sided p-value of the rank-sum test: the probability, over all ways of splitting
    /// the pooled values into groups of a's and b's sizes (each equally likely if the two activations
    /// are the same), that a's rank sum lies at least as far from its mean as observed. Ties take mid-ranks
    /// and the count is over those same ranks, so it stays exact with ties (a conditional test).
    /// Counted by dynamic programming over doubled rank sums (mid-ranks are halves), not enumerated, so
    /// any size is cheap. 5 against 5 with no overlap: 2/252 = 0.0079.
    /// </summary>
    public static double RankSumPValue(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count == 0 || b.Count == 0) return double.NaN;
        var pooled = a.Concat(b).ToArray();
        int n = a.Count, total = pooled.Length;
        // Doubled mid-ranks are integers: 2 * ((start + end) / 2 + 1) = start + end + 2.
        var doubled = RankCorrelation.Ranks(pooled).Select(r => (int)Math.Round(2 * r)).ToArray();
        int observed = doubled.Take(n).Sum();
        int center = n * (total + 1); // twice the rank sum's mean, n (N + 1) / 2
        int maxSum = doubled.Sum();
        // ways[k, s]: how many k-subsets of the values seen so far have doubled rank sum s. Counts reach
        // C(N, n), past long's range for large N; doubles keep the ratio exact enough for a p-value.
        var ways = new double[n + 1, maxSum + 1];
        ways[0, 0] = 1;
        int seen = 0;
        foreach (int rank in doubled)
        {
            seen++;
            for (int k = Math.Min(n, seen); k >= 1; k--)
                for (int s = maxSum; s >= rank; s--)
                    ways[k, s] += ways[k - 1, s - rank];
        }
        double extreme = 0, all = 0;
        int distance = Math.Abs(observed - center);
        for (int s = 0; s <= maxSum; s++)
        {
            all += ways[n, s];
            if (Math.Abs(s - center) >= distance) extreme += ways[n, s];
        }
        return extreme / all;
    }
}
