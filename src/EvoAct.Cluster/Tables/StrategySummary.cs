namespace EvoAct.Cluster.Tables;

/// <summary>
/// A strategy over its replays (one per run seed): medians and interquartile ranges. A replay that
/// never reached a target within the budget counts as the budget in the median (and is null in its own entry).
/// </summary>
public sealed record StrategySummary(
    string Strategy, int Seeds, int Budget,
    double MedianTrainingsToTop1, double MedianTrainingsToTop01, int ReachedTop1, int ReachedTop01,
    double MedianStepsToTop1, double MedianBestTrueFitness, double MedianReturnedTrueFitness, double MedianFreeShare,
    IReadOnlyList<(double Median, double Q1, double Q3)> BestTrueFitnessByTraining, IReadOnlyList<SearchReplay> Replays)
{
    public static StrategySummary Of(string strategy, IReadOnlyList<SearchReplay> replays, int budget, int stepsPerTraining)
    {
        double Median(IEnumerable<double> v) => Quantile(v.ToArray(), 0.5);
        var band = Enumerable.Range(0, budget).Select(i =>
        {
            // A replay that ended early (its space exhausted) keeps its last value.
            var at = replays.Select(r => r.BestTrueFitness.Count == 0 ? double.NaN : r.BestTrueFitness[Math.Min(i, r.BestTrueFitness.Count - 1)])
                            .Where(double.IsFinite).ToArray();
            return at.Length == 0 ? (double.NaN, double.NaN, double.NaN) : (Quantile(at, 0.5), Quantile(at, 0.25), Quantile(at, 0.75));
        }).ToArray();
        return new StrategySummary(strategy, replays.Count, budget,
            Median(replays.Select(r => (double)(r.TrainingsToTop1 ?? budget))),
            Median(replays.Select(r => (double)(r.TrainingsToTop01 ?? budget))),
            replays.Count(r => r.TrainingsToTop1 is not null), replays.Count(r => r.TrainingsToTop01 is not null),
            Median(replays.Select(r => (double)(r.StepsToTop1 ?? (long)budget * stepsPerTraining))),
            Median(replays.Select(r => r.BestTrueFitness.Count == 0 ? double.NaN : r.BestTrueFitness[^1]).Where(double.IsFinite)),
            Median(replays.Select(r => r.ReturnedTrueFitness ?? double.NaN).Where(double.IsFinite)),
            Median(replays.Select(r => r.FreeShare)),
            band, replays);
    }

    /// <summary>
    /// How many times fewer trainings than <paramref name="baseline"/> this strategy needs to reach the
    /// table's top 1%: the ratio of the medians (a replay that never got there counts as the budget),
    /// with a 95% percentile bootstrap interval over run seeds, resampled in pairs (seed k of both: the
    /// same run seed draws the same first random genomes, so the pairs are not independent). Null
    /// unless both strategies replayed the same seeds.
    /// </summary>
    public (double Ratio, double Low, double High)? Top1SpeedupOver(StrategySummary baseline)
    {
        var mine = Replays.OrderBy(r => r.Seed).ToArray();
        var theirs = baseline.Replays.OrderBy(r => r.Seed).ToArray();
        if (mine.Length == 0 || !mine.Select(r => r.Seed).SequenceEqual(theirs.Select(r => r.Seed))) return null;
        double[] b = theirs.Select(r => (double)(r.TrainingsToTop1 ?? baseline.Budget)).ToArray(), x = mine.Select(r => (double)(r.TrainingsToTop1 ?? Budget)).ToArray();
        static double Ratio(IReadOnlyList<double> b, IReadOnlyList<double> x) => Search.Statistics.TwoSample.Median(b) / Search.Statistics.TwoSample.Median(x);
        var (low, high) = Search.Statistics.RankCorrelation.Bootstrap(b, x, Ratio);
        return (Ratio(b, x), low, high);
    }

    /// <summary>Linear interpolation between order statistics (numpy's default); NaN for no values.</summary>
    public static double Quantile(double[] values, double q)
    {
        if (values.Length == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
