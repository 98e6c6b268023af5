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
        Assert.Equal("d38fa06f300064a5", f); // recorded: a change of the probe set or the hash shows here (and in every journal's dedup)
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
    public void A_genome_read_back_from_the_journal_has_the_fingerprint_it_was_proposed_with()
    {
        // The journal keeps a genome's encoding and its printed expression; the dedup cache and `top`
        // key on the fingerprint, so both must give back the one computed at proposal time.
        Gen.ULong.Sample(seed =>
        {
            var g = SearchSpace.Paper.Random(new Rng(seed));
            var proposed = Fingerprint.Of(g.ToExpr());
            Assert.Equal(proposed, Fingerprint.Of(Genomes.Genome.Decode(g.Encode()).ToExpr()));
            Assert.Equal(proposed, F(ExpressionPrinter.Print(g.ToExpr())));
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

/// <summary>Quantise finds the decimal exponent without a logarithm; it must agree with the Log10 formula it replaced, everywhere.</summary>
public class FingerprintQuantiseEquivalenceTests
{
    /// <summary>The formula fingerprints were first computed with.</summary>
    static (int, long) Reference(double v)
    {
        if (double.IsNaN(v)) return (int.MinValue, 1);
        if (double.IsInfinity(v)) return (int.MaxValue, v > 0 ? 1 : -1);
        if (v == 0) return (0, 0);
        int exponent = (int)Math.Floor(Math.Log10(Math.Abs(v)));
        int k = 5 - exponent, half = k / 2;
        long mantissa = (long)Math.Round(v * Math.Pow(10, half) * Math.Pow(10, k - half));
        if (Math.Abs(mantissa) >= 1_000_000) { mantissa = (long)Math.Round(mantissa / 10.0); exponent++; }
        return (exponent, mantissa);
    }

    static IEnumerable<double> Hard()
    {
        for (int n = -324; n <= 308; n++)
        {
            double p = Math.Pow(10, n);
            if (p == 0 || double.IsInfinity(p)) continue;
            double down = p, up = p;
            for (int i = 0; i < 4; i++)
            {
                yield return down; yield return -down; yield return up; yield return -up;
                down = Math.BitDecrement(down); up = Math.BitIncrement(up);
            }
            foreach (var m in new[] { 9.999995, 9.9999949999, 9.99999500001, 1.0000005, 5.5, 1.2345675 }) yield return m * p;
        }
        yield return double.Epsilon; yield return double.MaxValue; yield return -double.MaxValue; yield return 2.2250738585072014e-308;
        yield return double.NaN; yield return double.PositiveInfinity; yield return double.NegativeInfinity; yield return 0.0; yield return -0.0;
    }

    [Fact]
    public void Agrees_with_the_log10_formula_near_every_power_of_ten_and_at_the_ends()
    {
        foreach (var v in Hard()) Assert.True(Reference(v) == EvoAct.Search.Fingerprints.Fingerprint.Quantise(v), $"{v:R}: {Reference(v)} vs {EvoAct.Search.Fingerprints.Fingerprint.Quantise(v)}");
    }

    [Fact]
    public void Agrees_with_the_log10_formula_on_random_doubles_of_every_magnitude()
    {
        var rng = new Random(11);
        Span<byte> bits = stackalloc byte[8];
        for (int i = 0; i < 500_000; i++)
        {
            rng.NextBytes(bits);
            double v = BitConverter.ToDouble(bits);
            Assert.True(Reference(v) == EvoAct.Search.Fingerprints.Fingerprint.Quantise(v), $"{v:R}");
        }
    }
}
