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
