using EvoAct.Search.Expressions;
using EvoAct.Search.Fingerprints;
using EvoAct.Search.Genomes;
using EvoAct.Search.Ops;

namespace EvoAct.Search.Tests;

/// <summary>
/// The array evaluator behind probing must be the reference scalar evaluator, bit for bit: a single
/// differing last bit changes a fingerprint, and fingerprints already written to journals must keep
/// matching the ones computed after an upgrade.
/// </summary>
public class ProbeEvaluatorTests
{
    static readonly double[] Betas = [1.0, 0.5, -1.3, 0.0];

    static void AssertSameAsScalar(Expr e)
    {
        int n = ProbeEvaluator.Count;
        var v = new double[n];
        var d = new double[n];
        var values = new double[n];
        foreach (var beta in Betas)
        {
            ProbeEvaluator.Duals(e, beta, v, d);
            ProbeEvaluator.Values(e, beta, values);
            for (int i = 0; i < n; i++)
            {
                var reference = ExpressionEvaluator.Evaluate(e, ProbeSet.Points[i], beta);
                Same(reference.Value, v[i], e, beta, i, "value (dual pass)");
                Same(reference.Derivative, d[i], e, beta, i, "derivative");
                Same(reference.Value, values[i], e, beta, i, "value (value pass)");
            }
        }
    }

    static void Same(double expected, double actual, Expr e, double beta, int i, string what)
    {
        bool same = double.IsNaN(expected) ? double.IsNaN(actual) : BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual);
        Assert.True(same, $"{e} at x = {ProbeSet.Points[i]:R}, beta = {beta}: {what} {actual:R}, reference {expected:R}");
    }

    public static TheoryData<string> EveryUnary() => new(OpNames.AllUnary.SelectMany(u =>
    {
        var name = OpNames.Name(u);
        return new[] { $"{name}(x)", $"{name}(beta * x) * x", $"{name}(sin(3 * x) - 0.5)" };
    }));

    public static TheoryData<string> EveryBinary() => new(OpNames.AllBinary.SelectMany(b =>
    {
        var name = OpNames.Name(b);
        return new[] { $"{name}(x, tanh(x))", $"{name}(relu(x), x)", $"{name}(exp(x), beta * x)", $"{name}(x, x)", $"{name}(min0(x), relu(-x))" };
    }));

    [Theory]
    [MemberData(nameof(EveryUnary))]
    [MemberData(nameof(EveryBinary))]
    [InlineData("x^2 + x^3 - x^x")]
    [InlineData("(x + 1)^3 - exp(-x^2) * sqrt(x)")]
    [InlineData("sin(x)^beta + x^(0.5 * beta)")]
    [InlineData("max(logabs(x), x^x)")]
    [InlineData("1.5 - beta + x")]
    public void Matches_the_scalar_evaluator_bit_for_bit(string text) => AssertSameAsScalar(ExpressionParser.Parse(text));

    [Fact]
    public void Matches_the_scalar_evaluator_on_random_genomes_of_the_papers_space()
    {
        var rng = new Rng(20261128);
        for (int i = 0; i < 300; i++) AssertSameAsScalar(SearchSpace.Paper.Random(rng).ToExpr());
    }

    [Fact]
    public void Probe_gives_the_filters_verdict_and_the_fingerprint_of_the_scalar_path()
    {
        var filter = CandidateFilter.Default;
        var rng = new Rng(7);
        var verdicts = new HashSet<Rejection?>();
        for (int i = 0; i < 400; i++)
        {
            var e = SearchSpace.Paper.Random(rng).ToExpr();
            var scalarAtOne = ProbeSet.Points.Select(x => ExpressionEvaluator.Value(e, x, 1.0)).ToArray();
            var scalarAtHalf = ProbeSet.Points.Select(x => ExpressionEvaluator.Value(e, x, 0.5)).ToArray();
            var scalarDuals = ProbeSet.Points.Select(x => ExpressionEvaluator.Evaluate(e, x)).ToArray();
            var probe = filter.Probe(e);
            Assert.Equal(Fingerprint.Of(scalarAtOne, scalarAtHalf), probe.Fingerprint);
            Assert.Equal(Fingerprint.Of(e), probe.Fingerprint);
            Assert.Equal(filter.Check(scalarDuals.Select(d => d.Value).ToArray(), scalarDuals.Select(d => d.Derivative).ToArray()), probe.Rejection);
            Assert.Equal(filter.Check(e), probe.Rejection);
            verdicts.Add(probe.Rejection);
        }
        Assert.True(verdicts.Count >= 3, $"random genomes should meet passes and several rejections, saw {string.Join(", ", verdicts)}");
    }

    [Theory]
    [InlineData("x * sigmoid(beta * x)", true)]
    [InlineData("scale(x) + 1", true)]
    [InlineData("shift(x)", true)]
    [InlineData("mix(x, tanh(x))", true)]
    [InlineData("gaussdiff(x, sin(x))", true)]
    [InlineData("laplacediff(x, 1)", true)]
    [InlineData("beta(x) * x", true)]
    [InlineData("x ^ beta", true)]
    [InlineData("x * sigmoid(x)", false)]
    [InlineData("max(x, tanh(x)) / (cosh(x) + x^2)", false)]
    public void Knows_which_candidates_depend_on_beta(string text, bool usesBeta)
    {
        var e = ExpressionParser.Parse(text);
        Assert.Equal(usesBeta, ProbeEvaluator.UsesBeta(e));
        var atOne = ProbeSet.Points.Select(x => ExpressionEvaluator.Value(e, x, 1.0)).ToArray();
        var atHalf = ProbeSet.Points.Select(x => ExpressionEvaluator.Value(e, x, 0.5)).ToArray();
        // without beta the two passes agree bit for bit, which is why Probe may skip one
        if (!usesBeta) Assert.Equal(atOne.Select(BitConverter.DoubleToInt64Bits), atHalf.Select(BitConverter.DoubleToInt64Bits));
        else Assert.NotEqual(atOne.Select(BitConverter.DoubleToInt64Bits), atHalf.Select(BitConverter.DoubleToInt64Bits));
    }

    /// <summary>Fingerprints computed before the array evaluator existed (EvoAct 0.1, the scalar path): journals hold them.</summary>
    [Theory]
    [InlineData("x * sigmoid(beta * x)", "d38fa06f300064a5")]
    [InlineData("relu(x)", "e0e9140cb43b3bd9")]
    [InlineData("erf(x) * gaussdiff(x, sinc(x))", "e35e37d8e0d65b7d")]
    [InlineData("sigmul(x, tanh(beta * x)) / (cosh(x) - 1)", "64658255d533956c")]
    [InlineData("asinh(x) + softplus(min0(x)) - atan(laplacediff(x, beta))", "54ca313feec1e9a4")]
    [InlineData("(x + 1)^3 - exp(-x^2) * sqrt(x)", "1e5de2aa0288fb89")]
    [InlineData("max(logabs(x), x^x)", "96cf27199847655d")]
    public void Fingerprints_already_in_journals_do_not_change(string text, string recorded) =>
        Assert.Equal(recorded, Fingerprint.Of(ExpressionParser.Parse(text)));
}
