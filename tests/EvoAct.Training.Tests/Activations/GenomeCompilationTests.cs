using EvoAct.Search;
using EvoAct.Search.Expressions;
using EvoAct.Search.Fingerprints;
using EvoAct.Search.Genomes;
using static EvoAct.Training.Tests.Activations.ActivationTestKit;

namespace EvoAct.Training.Tests.Activations;

/// <summary>Genomes of the search compiled through genome.ToExpr() agree with the reference evaluator.</summary>
public class GenomeCompilationTests
{
    static readonly double[] Probe = ProbeSet.Points.ToArray();

    [Theory]
    [InlineData("x x sigmul")]
    [InlineData("x sin max")]
    [InlineData("cos x sub")]
    [InlineData("scale shift mix | sinc beta gaussdiff")]
    [InlineData("atan x mul | square x sub")]
    [InlineData("logabs sqrt div")]
    public void Decoded_genome_matches_the_evaluator(string code)
    {
        var genome = Genome.Decode(code);
        AssertMatchesEvaluator(genome.ToExpr(), code, beta: 1.0);
        AssertMatchesEvaluator(genome.ToExpr(), code, beta: 0.6);
    }

    [Fact]
    public void Sigmul_x_x_is_swish_with_beta_one()
    {
        var module = Compile(Genome.Decode("x x sigmul").ToExpr());
        var ys = Forward(module, Probe);
        for (int i = 0; i < Probe.Length; i++) Close(Probe[i] * Sigmoid(Probe[i]), ys[i], 1e-12, $"x sigmoid(x) at {Probe[i]}");
    }

    [Fact]
    public void Random_genomes_of_the_paper_space_match_the_evaluator()
    {
        var rng = new Rng(20170101);
        int compared = 0;
        for (int i = 0; i < 300; i++)
        {
            var genome = SearchSpace.Paper.Random(rng);
            compared += AssertMatchesEvaluator(genome.ToExpr(), genome.Encode(), beta: i % 2 == 0 ? 1.0 : 0.8);
        }
        // Most points of most genomes are finite: the comparison is not vacuous.
        Assert.True(compared > 300 * Probe.Length / 2, $"only {compared} finite points compared");
    }

    [Theory]
    // NaN from sqrt(x < 0) through abs/logabs/laplacediff: the evaluator used to throw (Math.Sign(NaN)).
    [InlineData("abs(sqrt(x))", -1.0)]
    [InlineData("logabs(sqrt(x))", -0.5)]
    [InlineData("laplacediff(sqrt(x), x)", -2.0)]
    // NaN through max/min is NaN, as torch.maximum: the evaluator used to return the other side.
    [InlineData("max(min0(min(sinh(x), sqrt(x))), sigmoid(x))", -0.5)]
    [InlineData("max(x, sqrt(x))", -1.0)]
    [InlineData("min(sqrt(x), x)", -1.0)]
    public void Nan_propagates_like_the_module(string text, double x)
    {
        var expr = ExpressionParser.Parse(text);
        var module = Compile(expr);
        Assert.True(double.IsNaN(Forward(module, x)), $"module: {text} at {x}");
        Assert.True(double.IsNaN(ExpressionEvaluator.Value(expr, x)), $"evaluator: {text} at {x}");
    }

    [Theory]
    // The side of max/min not taken has an infinite derivative: reverse mode gives 0 * inf = NaN,
    // and the reference must say so too (the filter rejects non-finite gradients on the probe set).
    [InlineData("min(sinh(tanh(x) / gauss(x)), tanh(x))", 3.2)]
    [InlineData("min(cosh(sigmul(sqrt(x), gauss(x))), abs(x))", 0.0)]
    [InlineData("max(erf(x + 1), sqrt(x))", 0.0)]
    public void Gradient_through_the_unused_side_of_max_min_is_nan_like_the_module(string text, double x)
    {
        var expr = ExpressionParser.Parse(text);
        var module = Compile(expr);
        var reference = ExpressionEvaluator.Evaluate(expr, x);
        Close(reference.Value, Forward(module, x), 1e-12, $"{text} at {x}");
        Assert.True(double.IsFinite(reference.Value));
        Assert.True(double.IsNaN(InputGradient(module, [x])[0]), $"module gradient of {text} at {x}");
        Assert.False(double.IsFinite(reference.Derivative), $"evaluator gradient of {text} at {x} is {reference.Derivative}");
    }

    /// <summary>Compares value (and derivative where the evaluator's is finite) at every probe point where the evaluator's value is finite.</summary>
    static int AssertMatchesEvaluator(Expr expr, string name, double beta)
    {
        var module = Compile(expr);
        SetAllBetas(module, beta);
        Assert.Equal(expr.BetaCount, module.Betas.Count);
        var ys = Forward(module, Probe);
        var gs = InputGradient(module, Probe);
        int compared = 0;
        for (int i = 0; i < Probe.Length; i++)
        {
            var reference = ExpressionEvaluator.Evaluate(expr, Probe[i], beta);
            if (!double.IsFinite(reference.Value)) continue;
            compared++;
            double x = Probe[i];
            string At() => $"{name} = {ExpressionPrinter.Print(expr)} at x = {x:R}, beta = {beta}";
            Close(reference.Value, ys[i], 1e-9, At);
            if (double.IsFinite(reference.Derivative))
                Close(reference.Derivative, gs[i], 1e-7, () => "d/dx " + At());
        }
        return compared;
    }
}
