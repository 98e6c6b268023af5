using EvoAct.Search.Expressions;

namespace EvoAct.Search.Fingerprints;

/// <summary>
/// Rejects degenerate candidates before any training, on the probe set with beta = 1. Cheap (about
/// a millisecond), where training a doomed candidate costs a whole evaluation.
/// </summary>
public sealed class CandidateFilter(FilterSettings settings)
{
    public static CandidateFilter Default { get; } = new(FilterSettings.Default);

    /// <summary>Null when the candidate may be trained, else the reason it may not.</summary>
    public Rejection? Check(Expr e)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        bool gradientNonFinite = false;
        foreach (var x in ProbeSet.Points)
        {
            var d = ExpressionEvaluator.Evaluate(e, x);
            if (!double.IsFinite(d.Value)) return Rejection.NonFiniteOutput;
            if (!double.IsFinite(d.Derivative)) gradientNonFinite = true;
            min = Math.Min(min, d.Value);
            max = Math.Max(max, d.Value);
        }
        // Output problems first: they are the root cause when both occur.
        if (Math.Max(Math.Abs(min), Math.Abs(max)) > settings.MaxAbsOutput) return Rejection.OutputTooLarge;
        if (gradientNonFinite) return Rejection.NonFiniteGradient;
        if (max - min <= settings.ConstantTolerance * Math.Max(1.0, Math.Abs(max))) return Rejection.ConstantOutput;
        return null;
    }
}
