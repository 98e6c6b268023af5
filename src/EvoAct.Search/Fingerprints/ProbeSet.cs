namespace EvoAct.Search.Fingerprints;

/// <summary>
/// The fixed inputs a candidate is probed on: 1000 draws of N(0, 1) (as AQuaSurF) plus a grid of
/// 101 points over [-5, 5] that reaches the tails. Fixed seed: fingerprints are stable forever.
/// </summary>
public static class ProbeSet
{
    public const int GaussianCount = 1000, GridCount = 101;
    public const double GridLimit = 5.0;

    public static IReadOnlyList<double> Points { get; } = Build();

    static double[] Build()
    {
        var rng = new Rng(0x5EED_AC7UL);
        var points = new double[GaussianCount + GridCount];
        for (int i = 0; i < GaussianCount; i++) points[i] = rng.NextGaussian();
        for (int i = 0; i < GridCount; i++) points[GaussianCount + i] = -GridLimit + 2 * GridLimit * i / (GridCount - 1);
        return points;
    }
}
