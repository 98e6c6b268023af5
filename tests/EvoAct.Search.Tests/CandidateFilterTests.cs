using EvoAct.Search.Expressions;
using EvoAct.Search.Fingerprints;
using EvoAct.Search.Genomes;

namespace EvoAct.Search.Tests;

public class CandidateFilterTests
{
    static Rejection? Check(string text, FilterSettings? settings = null) =>
        (settings is null ? CandidateFilter.Default : new CandidateFilter(settings)).Check(ExpressionParser.Parse(text));

    static double MaxAbsProbe => ProbeSet.Points.Max(Math.Abs);

    [Fact]
    public void Probe_set_reaches_five_and_contains_zero()
    {
        Assert.Equal(5.0, MaxAbsProbe);
        Assert.Contains(0.0, ProbeSet.Points);
        Assert.Contains(ProbeSet.Points, p => p < 0);
    }

    [Fact]
    public void Sqrt_of_negative_inputs_is_non_finite_output()
    {
        Assert.Equal(Rejection.NonFiniteOutput, Check("sqrt(x)"));
        Assert.Equal(Rejection.NonFiniteOutput, Check("x^0.5"));
        Assert.Equal(Rejection.NonFiniteOutput, Check("logabs(x) + sqrt(x - 1)"));
        // NaN flowing into ops with a sign in their derivative
        Assert.Equal(Rejection.NonFiniteOutput, Check("abs(sqrt(x))"));
        Assert.Equal(Rejection.NonFiniteOutput, Check("logabs(sqrt(x))"));
        Assert.Equal(Rejection.NonFiniteOutput, Check("laplacediff(sqrt(x), x)"));
        // max/min propagate NaN from either side, as torch.maximum/minimum do in training
        Assert.Equal(Rejection.NonFiniteOutput, Check("max(x, sqrt(x))"));
        Assert.Equal(Rejection.NonFiniteOutput, Check("min(sqrt(x), x)"));
    }

    [Fact]
    public void Double_exponential_is_too_large_but_finite_and_triple_is_non_finite()
    {
        // e^(e^5) = e^148.4 ~ 2.9e64 is a finite double above the default bound of 1e4
        Assert.True(double.IsFinite(Math.Exp(Math.Exp(5))));
        Assert.Equal(Rejection.OutputTooLarge, Check("exp(exp(x))"));
        // e^(e^(e^5)) overflows
        Assert.True(double.IsPositiveInfinity(Math.Exp(Math.Exp(Math.Exp(5)))));
        Assert.Equal(Rejection.NonFiniteOutput, Check("exp(exp(exp(x)))"));
        Assert.Equal(Rejection.NonFiniteOutput, Check("cosh(exp(exp(x)))"));
    }

    [Fact]
    public void Constant_outputs_are_rejected()
    {
        Assert.Equal(Rejection.ConstantOutput, Check("x - x"));
        Assert.Equal(Rejection.ConstantOutput, Check("beta(x)"));
        Assert.Equal(Rejection.ConstantOutput, Check("beta"));
        Assert.Equal(Rejection.ConstantOutput, Check("sin(x)^2 + cos(x)^2"));
        Assert.Equal(Rejection.ConstantOutput, Check("gaussdiff(x, x)"));
        Assert.Equal(Rejection.ConstantOutput, Check("max(beta(x), beta(x))"));
    }

    [Fact]
    public void Infinite_gradient_at_zero_is_non_finite_gradient()
    {
        // sqrt(|x|) is finite everywhere but its slope is unbounded at x = 0, a grid point
        Assert.Equal(Rejection.NonFiniteGradient, Check("sqrt(abs(x))"));
        Assert.Equal(Rejection.NonFiniteGradient, Check("abs(x)^0.5"));
        Assert.Equal(Rejection.NonFiniteGradient, Check("x + sqrt(relu(x))"));
    }

    [Theory]
    [InlineData("x * sigmoid(beta * x)")]
    [InlineData("x")]
    [InlineData("relu(x)")]
    [InlineData("abs(x)")]
    [InlineData("max(x, sigmoid(x))")]
    [InlineData("cos(x) - x")]
    [InlineData("min(x, sin(x))")]
    [InlineData("atan(x)^2 - x")]
    [InlineData("max(x, tanh(x))")]
    [InlineData("sinc(x) + x")]
    [InlineData("x * asinh(x)^2")]
    [InlineData("exp(x)")]
    [InlineData("logabs(x)")]
    public void Healthy_activations_pass(string text)
    {
        Assert.Null(Check(text));
    }

    [Fact]
    public void Division_by_zero_plus_eps_is_large_but_finite()
    {
        // -1 is a grid point, where x / (x + 1) is -1 / (0 + 1e-7) = -1e7: above the default bound only
        Assert.Contains(-1.0, ProbeSet.Points);
        Assert.Equal(Rejection.OutputTooLarge, Check("x / (x + 1)"));
        Assert.Null(Check("x / (x + 1)", new FilterSettings(MaxAbsOutput: 1.01e7)));
    }

    [Fact]
    public void Output_problems_win_over_gradient_problems()
    {
        // large output (1.5e6 at x = 5) and an infinite gradient at 0
        Assert.Equal(Rejection.OutputTooLarge, Check("1e4 * exp(x) + sqrt(abs(x))"));
        // NaN output for x < 0 and an infinite gradient at 0
        Assert.Equal(Rejection.NonFiniteOutput, Check("sqrt(x)"));
    }

    [Fact]
    public void The_output_bound_is_configurable()
    {
        // max |3x| on the probe set is 15, reached at the grid's ends
        Assert.Equal(Rejection.OutputTooLarge, Check("3 * x", new FilterSettings(MaxAbsOutput: 14.99)));
        Assert.Null(Check("3 * x", new FilterSettings(MaxAbsOutput: 15.01)));
        Assert.Equal(Rejection.OutputTooLarge, Check("-3 * x", new FilterSettings(MaxAbsOutput: 14.99)));
        // exp(x) peaks at e^5 = 148.41...
        Assert.Equal(Rejection.OutputTooLarge, Check("exp(x)", new FilterSettings(MaxAbsOutput: Math.Exp(5) - 0.01)));
        Assert.Null(Check("exp(x)", new FilterSettings(MaxAbsOutput: Math.Exp(5) + 0.01)));
        // and a huge bound lets e^(e^x) through
        Assert.Null(Check("exp(exp(x))", new FilterSettings(MaxAbsOutput: 1e65)));
    }

    [Fact]
    public void The_constant_tolerance_is_configurable()
    {
        // range of 1e-12 x over [-5, 5] is 1e-11
        Assert.Equal(Rejection.ConstantOutput, Check("1e-12 * x"));
        Assert.Null(Check("1e-12 * x", new FilterSettings(ConstantTolerance: 5e-12)));
        Assert.Equal(Rejection.ConstantOutput, Check("1e-12 * x", new FilterSettings(ConstantTolerance: 2e-11)));
        // relative to the magnitude: 100 + 1e-8 sin(x) has range 2e-8 <= 1e-9 * 100
        Assert.Equal(Rejection.ConstantOutput, Check("100 + 1e-8 * sin(x)"));
        Assert.Null(Check("100 + 1e-6 * sin(x)"));
    }

    [Fact]
    public void Default_settings()
    {
        Assert.Equal(new FilterSettings(1e4, 1e-9), FilterSettings.Default);
    }

    [Fact]
    public void Rejections_have_snake_case_names()
    {
        Assert.Equal("non_finite_output", Rejection.NonFiniteOutput.Name());
        Assert.Equal("non_finite_gradient", Rejection.NonFiniteGradient.Name());
        Assert.Equal("constant_output", Rejection.ConstantOutput.Name());
        Assert.Equal("output_too_large", Rejection.OutputTooLarge.Name());
    }

    [Fact]
    public void Swish_genome_passes_and_degenerate_genomes_are_caught()
    {
        Assert.Null(CandidateFilter.Default.Check(Genome.Decode("x x sigmul").ToExpr()));
        Assert.Equal(Rejection.ConstantOutput, CandidateFilter.Default.Check(Genome.Decode("x x sub").ToExpr()));
        Assert.Equal(Rejection.NonFiniteOutput, CandidateFilter.Default.Check(Genome.Decode("sqrt x add").ToExpr()));
        Assert.Equal(Rejection.OutputTooLarge, CandidateFilter.Default.Check(Genome.Decode("exp exp mul | x x add").ToExpr()));
    }
}
