namespace EvoAct.Search.Expressions;

/// <summary>Functions .NET's Math lacks, accurate to about 1e-15.</summary>
public static class SpecialFunctions
{
    /// <summary>
    /// erf(x) = 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)). Every term is positive, so
    /// there is no cancellation; beyond |x| = 6, erf is +-1 to double precision.
    /// </summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        double ax = Math.Abs(x);
        if (ax >= 6) return Math.Sign(x);
        double term = ax, sum = ax, x2 = ax * ax;
        for (int n = 1; n < 500 && term > 1e-17 * sum; n++)
        {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
        }
        double r = 2 / Math.Sqrt(Math.PI) * Math.Exp(-x2) * sum;
        return x < 0 ? -r : r;
    }

    /// <summary>Un-normalised sinc: sin(x)/x, 1 at 0 (Taylor near 0 to avoid 0/0).</summary>
    public static double Sinc(double x)
    {
        if (Math.Abs(x) < 1e-4) { double x2 = x * x; return 1 - x2 / 6 + x2 * x2 / 120; }
        return Math.Sin(x) / x;
    }

    /// <summary>d/dx sinc(x) = (x cos x - sin x) / x^2, and -x/3 + x^3/30 near 0.</summary>
    public static double SincDerivative(double x)
    {
        if (Math.Abs(x) < 1e-4) return -x / 3 + x * x * x / 30;
        return (x * Math.Cos(x) - Math.Sin(x)) / (x * x);
    }

    /// <summary>Stable 1 / (1 + e^-x).</summary>
    public static double Sigmoid(double x)
    {
        if (x >= 0) return 1 / (1 + Math.Exp(-x));
        double e = Math.Exp(x);
        return e / (1 + e);
    }

    /// <summary>Stable log(1 + e^x) = max(x, 0) + log1p(e^-|x|).</summary>
    public static double Softplus(double x) => Math.Max(x, 0) + Log1p(Math.Exp(-Math.Abs(x)));

    static double Log1p(double x) => Math.Abs(x) < 1e-4 ? x - x * x / 2 + x * x * x / 3 : Math.Log(1 + x);
}
