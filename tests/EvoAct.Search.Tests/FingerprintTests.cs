using CsCheck;
using EvoAct.Search.Expressions;
using EvoAct.Search.Fingerprints;
using EvoAct.Search.Ops;

namespace EvoAct.Search.Tests;

public class FingerprintTests
{
    static string F(string text) => Fingerprint.Of(ExpressionParser.Parse(text));

    [Theory]
    [InlineData("x * sigmoid(x)", "sigmul(x, x)")]
    [InlineData("x + x", "2 * x")]
    [InlineData("relu(x)", "max(x, 0)")]
    [InlineData("relu(x)", "x - min0(x)")]
    [InlineData("-x", "neg(x)")]
    [InlineData("x^2", "square(x)")]
    [InlineData("x * x * x", "cube(x)")]
    [InlineData("scale(x)", "beta * x")]
    [InlineData("shift(x)", "x + beta")]
    [InlineData("x * sigmoid(beta * x)", "sigmul(scale(x), x)")]
    [InlineData("mix(x, sin(x))", "beta * x + (1 - beta) * sin(x)")]
    [InlineData("x - x", "-(x - x)")] // -0 folds into 0
    [InlineData("abs(x)", "max(x, -x)")]
    [InlineData("x", "x(x(x))")]
    public void Same_function_same_fingerprint(string a, string b)
    {
        Assert.Equal(F(a), F(b));
    }

    [Theory]
    [InlineData("relu(x)", "x")]
    [InlineData("sin(x)", "cos(x)")]
    [InlineData("x * sigmoid(beta * x)", "x * sigmoid(x)")] // equal at beta = 1, not at beta = 0.5
    [InlineData("x + beta", "x + 1")]
    [InlineData("scale(x)", "x")]
    [InlineData("mix(x, sin(x))", "x")]
    [InlineData("x", "x + 1e-3")]
    [InlineData("sqrt(x)", "sqrt(abs(x))")]
    [InlineData("max(x, sigmoid(x))", "max(x, tanh(x))")]
    [InlineData("cos(x) - x", "x - cos(x)")]
    public void Different_functions_different_fingerprints(string a, string b)
    {
        Assert.NotEqual(F(a), F(b));
    }

    [Fact]
    public void Fingerprints_are_sixteen_lowercase_hex_digits_and_deterministic()
    {
        var f = F("x * sigmoid(beta * x)");
        Assert.Matches("^[0-9a-f]{16}$", f);
        Assert.Equal(f, F("x * sigmoid(beta * x)"));
        Assert.Equal(f, Fingerprint.Of(new BinaryCall(BinaryOp.Mul, Expr.X,
            new UnaryCall(UnaryOp.Sigmoid, new BinaryCall(BinaryOp.Mul, Expr.Beta, Expr.X)))));
    }

    [Fact]
    public void Fingerprints_of_partly_nan_functions_are_defined()
    {
        // NaN for x < 0 is part of the function: sqrt(x) and abs(sqrt(x)) agree everywhere
        Assert.Equal(F("sqrt(x)"), F("abs(sqrt(x))"));
        Assert.Equal(F("sqrt(x)"), F("laplacediff(sqrt(x), x) * 0 + sqrt(x)"));
        Assert.NotEqual(F("sqrt(x)"), F("sqrt(relu(x))"));
    }

    [Fact]
    public void Fingerprints_ignore_differences_below_six_significant_digits()
    {
        Assert.Equal(F("x"), F("x * (1 + 1e-12)"));
        Assert.Equal(F("sin(x) + 3"), F("sin(x) + 3 + 1e-12"));
    }

    [Fact]
    public void Genome_fingerprints_distinguish_most_random_pairs()
    {
        // not a proof of anything, but a fingerprint that collapsed many functions together would fail
        var space = SearchSpace.Paper;
        var rng = new Rng(123);
        var genomes = Enumerable.Range(0, 300).Select(_ => space.Random(rng)).ToList();
        var distinct = genomes.Select(g => Fingerprint.Of(g.ToExpr())).Distinct().Count();
        Assert.True(distinct > 200, $"only {distinct} distinct fingerprints for 300 random genomes");
    }

    [Fact]
    public void Fingerprint_is_stable_across_calls_on_random_genomes()
    {
        Gen.ULong.Sample(seed =>
        {
            var g = SearchSpace.Paper.Random(new Rng(seed));
            Assert.Equal(Fingerprint.Of(g.ToExpr()), Fingerprint.Of(g.ToExpr()));
        }, iter: 100);
    }

    [Fact]
    public void Probe_set_is_fixed_gaussian_draws_and_a_grid_over_minus_five_to_five()
    {
        var points = ProbeSet.Points;
        Assert.Equal(1101, points.Count);
        Assert.Same(points, ProbeSet.Points);
        var grid = points.Skip(1000).ToArray();
        Assert.Equal(101, grid.Length);
        for (int i = 0; i <= 100; i++) Assert.Equal(-5 + 0.1 * i, grid[i], 12);
        Assert.Contains(0.0, grid);
        Assert.Equal(-5.0, grid[0]);
        Assert.Equal(5.0, grid[100]);
        var gaussian = points.Take(1000).ToArray();
        double mean = gaussian.Average(), variance = gaussian.Select(p => (p - mean) * (p - mean)).Average();
        // mean sd 0.032, variance sd about 0.045
        Assert.InRange(mean, -0.12, 0.12);
        Assert.InRange(variance, 0.82, 1.18);
        Assert.All(gaussian, p => Assert.InRange(p, -5.5, 5.5));
        Assert.Equal(1000, gaussian.Distinct().Count());
    }
}

public class FingerprintQuantiseTests
{
    [Theory]
    [InlineData(1.0, 0, 100000)]
    [InlineData(-2.5, 0, -250000)]
    [InlineData(123456.7, 5, 123457)]
    [InlineData(9.9999996, 1, 100000)]   // rounds up a decade
    [InlineData(1e-300, -300, 100000)]
    [InlineData(4.9e-324, -324, 494066)] // the smallest double
    [InlineData(1.7976931348623157e308, 308, 179769)]
    public void Quantise_keeps_six_significant_digits_across_the_double_range(double v, int exponent, long mantissa)
    {
        Assert.Equal((exponent, mantissa), EvoAct.Search.Fingerprints.Fingerprint.Quantise(v));
    }
}
