namespace EvoAct.Search.Statistics;

/// <summary>Spread of a sample: one definition for every report that shows mean ± sd.</summary>
public static class Spread
{
    /// <summary>The sample sd (n - 1); null below two values.</summary>
    public static double? SampleSd(IReadOnlyList<double> v)
    {
        if (v.Count < 2) return null;
        double m = v.Average();
        return Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Count - 1));
    }
}
