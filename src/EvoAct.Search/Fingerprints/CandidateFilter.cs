using EvoAct.Search.Expressions;

namespace EvoAct.Search.Fingerprints;

/// <summary>
/// Rejects degenerate candidates before any training, on the probe set with beta = 1. Cheap (about
/// a millisecond), where training a doomed candidate costs a whole evaluation.
/// </summary>
public sealed class CandidateFilter(FilterSettings settings)
{
    public static CandidateFilter Default { get; } = new(FilterSettings.Default);

    /// <summary>A random genome of the space that this filter passes (drawn until one does).</summary>
    public Genomes.Genome RandomPassing(SearchSpace space, Rng rng)
    {
        for (int tries = 0; tries < 1_000_000; tries++)
        {
            var g = space.Random(rng);
            if (Check(g.ToExpr()) is null) return g;
        }
        throw new InvalidOperationException($"no genome of {space} passed the filter in a million draws");
    }

    /// <summary>Null when the candidate may be trained, else the reason it may not.</summary>
    public Rejection? Check(Expr e)
    {
        var buffer = new double[2 * ProbeEvaluator.Count];
        Span<double> values = buffer.AsSpan(0, ProbeEvaluator.Count), derivatives = buffer.AsSpan(ProbeEvaluator.Count);
        ProbeEvaluator.Duals(e, 1.0, values, derivatives);
        return Check(values, derivatives);
    }

    /// <summary>The verdict on values and derivatives already computed on the probe set (beta = 1).</summary>
    public Rejection? Check(ReadOnlySpan<double> values, ReadOnlySpan<double> derivatives)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        bool gradientNonFinite = false;
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i])) return Rejection.NonFiniteOutput;
            if (!double.IsFinite(derivatives[i])) gradientNonFinite = true;
            min = Math.Min(min, values[i]);
            max = Math.Max(max, values[i]);
        }
        // Output problems first: they are the root cause when both occur.
        if (Math.Max(Math.Abs(min), Math.Abs(max)) > settings.MaxAbsOutput) return Rejection.OutputTooLarge;
        if (gradientNonFinite) return Rejection.NonFiniteGradient;
        if (max - min <= settings.ConstantTolerance * Math.Max(1.0, Math.Abs(max))) return Rejection.ConstantOutput;
        return null;
    }

    /// <summary>
    /// The filter's verdict and the fingerprint together, from one pass at beta = 1 (values and
    /// derivatives, which both need) and one values-only pass at beta = 0.5, which a candidate
    /// without beta skips (its values are the same numbers).
    /// </summary>
    public (Rejection? Rejection, string Fingerprint) Probe(Expr e)
    {
        int n = ProbeEvaluator.Count;
        var buffer = System.Buffers.ArrayPool<double>.Shared.Rent(3 * n); // the coordinator probes thousands of candidates
        try
        {
            Span<double> atOne = buffer.AsSpan(0, n), derivatives = buffer.AsSpan(n, n), atHalf = buffer.AsSpan(2 * n, n);
            ProbeEvaluator.Duals(e, Fingerprint.ProbeBetas[0], atOne, derivatives);
            if (ProbeEvaluator.UsesBeta(e)) ProbeEvaluator.Values(e, Fingerprint.ProbeBetas[1], atHalf);
            else atOne.CopyTo(atHalf);
            return (Check(atOne, derivatives), Fingerprint.Of(atOne, atHalf));
        }
        finally { System.Buffers.ArrayPool<double>.Shared.Return(buffer); }
    }
}
