namespace EvoAct.Search;

/// <summary>
/// SplitMix64: a tiny deterministic generator whose whole state is one ulong. We use it instead of
/// System.Random so that a persisted state reproduces the same proposals after a resume, on any runtime.
/// </summary>
public sealed class Rng
{
    public ulong State { get; private set; }

    public Rng(ulong seed) => State = seed;

    public ulong NextULong()
    {
        ulong z = State += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, n).</summary>
    public int Next(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n));
        // Lemire's multiply-shift; the bias for n much smaller than 2^64 is negligible.
        return (int)(((UInt128)NextULong() * (ulong)n) >> 64);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal (Box-Muller).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];
}
