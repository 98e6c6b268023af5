using System.Globalization;
using System.Security.Cryptography;
using System.Text;
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
        var sb = new StringBuilder();
        foreach (var beta in Betas)
            foreach (var x in ProbeSet.Points)
                sb.Append(Round(ExpressionEvaluator.Value(e, x, beta))).Append(';');
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(sb.ToString()));
        return Convert.ToHexStringLower(hash, 0, 8);
    }

    static string Round(double v) =>
        double.IsNaN(v) ? "nan" : double.IsInfinity(v) ? (v > 0 ? "inf" : "-inf")
        : v == 0 ? "0" // folds -0 into 0
        : v.ToString("E" + (SignificantDigits - 1), CultureInfo.InvariantCulture);
}
