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
        // FNV-1a over the quantised outputs: stable across processes and runtimes (unlike
        // string.GetHashCode), and ten times cheaper than formatting and hashing text.
        ulong h = 14695981039346656037UL;
        foreach (var beta in Betas)
            foreach (var x in ProbeSet.Points)
            {
                var (exponent, mantissa) = Quantise(ExpressionEvaluator.Value(e, x, beta));
                h = Mix(Mix(h, (ulong)exponent), (ulong)mantissa);
            }
        return h.ToString("x16");
    }

    /// <summary>
    /// v rounded to <see cref="SignificantDigits"/> digits as (decimal exponent, signed integer
    /// mantissa); NaN, infinities and zero (either sign) get codes of their own.
    /// </summary>
    internal static (int Exponent, long Mantissa) Quantise(double v)
    {
        if (double.IsNaN(v)) return (int.MinValue, 1);
        if (double.IsInfinity(v)) return (int.MaxValue, v > 0 ? 1 : -1);
        if (v == 0) return (0, 0);
        int exponent = (int)Math.Floor(Math.Log10(Math.Abs(v)));
        // Scale by 10^k in two halves: 10^k alone overflows or underflows at the ends of the double range.
        int k = SignificantDigits - 1 - exponent, half = k / 2;
        long mantissa = (long)Math.Round(v * Math.Pow(10, half) * Math.Pow(10, k - half));
        if (Math.Abs(mantissa) >= Pow10) { mantissa = (long)Math.Round(mantissa / 10.0); exponent++; } // 9.999995 rounds up a decade
        return (exponent, mantissa);
    }

    const long Pow10 = 1_000_000; // 10^SignificantDigits

    static ulong Mix(ulong h, ulong v)
    {
        for (int i = 0; i < 8; i++)
        {
            h ^= (v >> (8 * i)) & 0xFF;
            h *= 1099511628211UL;
        }
        return h;
    }
}
