using EvoAct.Search.Expressions;

namespace EvoAct.Search.Fingerprints;

/// <summary>
/// Functional-equivalence fingerprint (AutoML-Zero): hash of the outputs on the probe set, rounded
/// to <see cref="SignificantDigits"/> digits. Candidates computing the same function share it, so the
/// search need not train them twice. The outputs are taken with every beta at 1 and again at 0.5, so
/// that e.g. x * sigmoid(beta * x) (a trainable family) and x * sigmoid(x) (one member) differ.
/// </summary>
public static class Fingerprint
{
    public const int SignificantDigits = 6;
    static readonly double[] Betas = [1.0, 0.5];

    public static string Of(Expr e)
    {
        var buffer = new double[2 * ProbeEvaluator.Count];
        Span<double> atOne = buffer.AsSpan(0, ProbeEvaluator.Count), atHalf = buffer.AsSpan(ProbeEvaluator.Count);
        ProbeEvaluator.Values(e, Betas[0], atOne);
        ProbeEvaluator.Values(e, Betas[1], atHalf);
        return Of(atOne, atHalf);
    }

    /// <summary>The fingerprint of outputs already computed on the probe set, with every beta at 1 and at 0.5.</summary>
    public static string Of(ReadOnlySpan<double> atOne, ReadOnlySpan<double> atHalf)
    {
        // FNV-1a over the quantised outputs: stable across processes and runtimes (unlike
        // string.GetHashCode), and ten times cheaper than formatting and hashing text.
        return Hash(Hash(14695981039346656037UL, atOne), atHalf).ToString("x16");
    }

    static ulong Hash(ulong h, ReadOnlySpan<double> values)
    {
        foreach (var v in values)
        {
            var (exponent, mantissa) = Quantise(v);
            h = Mix(Mix(h, (ulong)exponent), (ulong)mantissa);
        }
        return h;
    }

    /// <summary>The betas the outputs are taken at, in hashing order.</summary>
    public static IReadOnlyList<double> ProbeBetas => Betas;

    /// <summary>
    /// v rounded to <see cref="SignificantDigits"/> digits as (decimal exponent, signed integer
    /// mantissa); NaN, infinities and zero (either sign) get codes of their own.
    /// </summary>
    internal static (int Exponent, long Mantissa) Quantise(double v)
    {
        if (double.IsNaN(v)) return (int.MinValue, 1);
        if (double.IsInfinity(v)) return (int.MaxValue, v > 0 ? 1 : -1);
        if (v == 0) return (0, 0);
        int exponent = DecimalExponent(Math.Abs(v));
        // Scale by 10^k in two halves: 10^k alone overflows or underflows at the ends of the double range.
        int k = SignificantDigits - 1 - exponent, half = k / 2;
        long mantissa = (long)Math.Round(v * Pow10Of(half) * Pow10Of(k - half));
        if (Math.Abs(mantissa) >= Pow10) { mantissa = (long)Math.Round(mantissa / 10.0); exponent++; } // 9.999995 rounds up a decade
        return (exponent, mantissa);
    }

    const long Pow10 = 1_000_000; // 10^SignificantDigits

    /// <summary>
    /// floor(log10 a) for finite a > 0, from the binary exponent and one comparison instead of a
    /// logarithm. It can differ from floor(Math.Log10(a)) only within an ulp of a power of ten, where
    /// Log10 rounds up; there the mantissa rounds to 10^6 and the decade carry in Quantise gives the
    /// same (exponent, mantissa) either way (tested against the Log10 formula).
    /// </summary>
    static int DecimalExponent(double a)
    {
        // Subnormal powers of ten are rounded too coarsely to compare against: keep the logarithm there.
        if (a < 1e-300) return (int)Math.Floor(Math.Log10(a));
        int e = (int)Math.Floor(Math.ILogB(a) * 0.30102999566398120); // log10(2): at most one below the answer
        return a >= Pow10Of(e + 1) ? e + 1 : e;
    }

    // Math.Pow(10, n), tabulated: the same doubles, without two Pow calls per probe point.
    const int TableLimit = 400;
    static readonly double[] Powers = Enumerable.Range(-TableLimit, 2 * TableLimit + 1).Select(n => Math.Pow(10, n)).ToArray();
    static double Pow10Of(int n) => n is >= -TableLimit and <= TableLimit ? Powers[n + TableLimit] : Math.Pow(10, n);

    /// <summary>FNV-1a over the 8 bytes of v, least significant first (unrolled: this runs 4,404 times per fingerprint).</summary>
    static ulong Mix(ulong h, ulong v)
    {
        const ulong Prime = 1099511628211UL;
        h = (h ^ (v & 0xFF)) * Prime;
        h = (h ^ ((v >> 8) & 0xFF)) * Prime;
        h = (h ^ ((v >> 16) & 0xFF)) * Prime;
        h = (h ^ ((v >> 24) & 0xFF)) * Prime;
        h = (h ^ ((v >> 32) & 0xFF)) * Prime;
        h = (h ^ ((v >> 40) & 0xFF)) * Prime;
        h = (h ^ ((v >> 48) & 0xFF)) * Prime;
        return (h ^ (v >> 56)) * Prime;
    }
}
