using CsCheck;
using EvoAct.Search.Expressions;
using EvoAct.Search.Fingerprints;
using EvoAct.Search.Genomes;
using EvoAct.Search.Ops;

namespace EvoAct.Search.Tests;

public class ExpressionPrinterRoundTripTests
{
    /// <summary>The paper's ops with K = 1, 2 or 3 (K = 2 is SearchSpace.Paper), chosen by the seed.</summary>
    static SearchSpace SpaceFor(ulong seed) =>
        (seed % 3) switch
        {
            0 => new SearchSpace(1, OpNames.AllUnary, OpNames.AllBinary),
            1 => SearchSpace.Paper,
            _ => new SearchSpace(3, OpNames.AllUnary, OpNames.AllBinary),
        };

    static Genome RandomGenome(ulong seed) => SpaceFor(seed).Random(new Rng(seed));

    [Fact]
    public void Genome_text_parses_back_to_the_same_function()
    {
        Gen.ULong.Sample(seed =>
        {
            var genome = RandomGenome(seed);
            var text = genome.ToExpression();
            var parsed = ExpressionParser.Parse(text);
            Assert.True(Fingerprint.Of(genome.ToExpr()) == Fingerprint.Of(parsed), $"{genome.Encode()} printed as {text}");
        }, iter: 1000);
    }

    [Fact]
    public void Genome_text_parses_back_to_the_same_values_and_derivatives()
    {
        Gen.ULong.Sample(seed =>
        {
            var genome = RandomGenome(seed);
            var tree = genome.ToExpr();
            var parsed = ExpressionParser.Parse(genome.ToExpression());
            foreach (var beta in new[] { 1.0, 0.5 })
                foreach (var x in new[] { -2.7, -0.9, 0.3, 1.6, 3.4 })
                {
                    var a = ExpressionEvaluator.Evaluate(tree, x, beta);
                    var b = ExpressionEvaluator.Evaluate(parsed, x, beta);
                    AssertClose(a.Value, b.Value);
                    AssertClose(a.Derivative, b.Derivative);
                }
        }, iter: 1000);
    }

    static void AssertClose(double expected, double actual)
    {
        if (double.IsNaN(expected)) { Assert.True(double.IsNaN(actual), $"expected NaN, got {actual}"); return; }
        if (double.IsInfinity(expected)) { Assert.Equal(expected, actual); return; }
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");
    }

    [Theory]
    [InlineData("asinh cube div | cube sin mul | sin abs min")] // sin of ((asinh(x) / x^3)^3 ...): chaotic near 0
    [InlineData("x cube div | cube x mul | sin x add")]
    [InlineData("x square div | square x mul | cos x add")]
    public void Chaotic_genomes_keep_their_fingerprint_through_text(string encoded)
    {
        var genome = Genome.Decode(encoded);
        var parsed = ExpressionParser.Parse(genome.ToExpression());
        Assert.Equal(Fingerprint.Of(genome.ToExpr()), Fingerprint.Of(parsed));
    }

    [Fact]
    public void Square_and_cube_are_bit_identical_to_powers_two_and_three()
    {
        var rng = new Rng(17);
        for (int i = 0; i < 10_000; i++)
        {
            double x = rng.NextGaussian() * Math.Pow(10, rng.Next(20) - 10);
            Assert.Equal(ExpressionEvaluator.Evaluate(ExpressionParser.Parse("square(x)"), x), ExpressionEvaluator.Evaluate(ExpressionParser.Parse("x^2"), x));
            Assert.Equal(ExpressionEvaluator.Evaluate(ExpressionParser.Parse("cube(x)"), x), ExpressionEvaluator.Evaluate(ExpressionParser.Parse("x^3"), x));
        }
    }

    [Fact]
    public void Printing_a_parsed_genome_text_reproduces_it_and_is_a_fixed_point()
    {
        Gen.ULong.Sample(seed =>
        {
            var text = RandomGenome(seed).ToExpression();
            var once = ExpressionPrinter.Print(ExpressionParser.Parse(text));
            var twice = ExpressionPrinter.Print(ExpressionParser.Parse(once));
            Assert.Equal(once, twice);
            Assert.Equal(text, once);
        }, iter: 1000);
    }

    [Fact]
    public void Encode_and_decode_round_trip()
    {
        Gen.ULong.Sample(seed =>
        {
            var genome = RandomGenome(seed);
            var encoded = genome.Encode();
            var decoded = Genome.Decode(encoded);
            Assert.Equal(genome, decoded);
            Assert.Equal(genome.GetHashCode(), decoded.GetHashCode());
            Assert.Equal(encoded, decoded.Encode());
            Assert.Equal(genome.Units.Length, encoded.Split(" | ").Length);
        }, iter: 1000);
    }

    [Theory]
    [InlineData("-x^2")]
    [InlineData("(-x)^2")]
    [InlineData("x^x^2")]
    [InlineData("(x^x)^2")]
    [InlineData("x - (x - beta)")]
    [InlineData("x - x - beta")]
    [InlineData("x / (x * beta)")]
    [InlineData("x * beta / x")]
    [InlineData("(x + 1) * sin(x)")]
    [InlineData("x * -x")]
    [InlineData("x^-x")]
    [InlineData("-(x + beta)")]
    [InlineData("max(x, sigmoid(beta * x))")]
    [InlineData("x * sigmoid(beta * x)")]
    [InlineData("atan(x)^2 - x")]
    [InlineData("x * asinh(x)^2")]
    [InlineData("gaussdiff(x, mix(x, 0.001))")]
    public void Canonical_texts_print_unchanged(string text)
    {
        Assert.Equal(text, ExpressionPrinter.Print(ExpressionParser.Parse(text)));
    }

    [Theory]
    [InlineData("((x))", "x")]
    [InlineData("(x * x) * x", "x * x * x")]
    [InlineData("x + (x * x)", "x + x * x")]
    [InlineData("-(x^2)", "-x^2")]
    [InlineData("max(x,sigmoid(x))", "max(x, sigmoid(x))")]
    [InlineData("x(sin(x))", "sin(x)")]
    [InlineData("square(x + 1)", "(x + 1)^2")]
    [InlineData("cube(sin(x))", "sin(x)^3")]
    [InlineData("scale(x + 1)", "beta * (x + 1)")]
    [InlineData("shift(x * 2)", "x * 2 + beta")]
    [InlineData("neg(x - 1)", "-(x - 1)")]
    [InlineData("add(x, sub(x, x))", "x + (x - x)")]
    [InlineData("mul(x, div(x, x))", "x * (x / x)")]
    public void Printer_uses_the_everyday_spelling_and_fewest_parentheses(string input, string expected)
    {
        var printed = ExpressionPrinter.Print(ExpressionParser.Parse(input));
        Assert.Equal(expected, printed);
        // and the spelling computes the same function
        Assert.Equal(Fingerprint.Of(ExpressionParser.Parse(input)), Fingerprint.Of(ExpressionParser.Parse(printed)));
    }

    [Fact]
    public void Hand_built_trees_with_nested_negation_and_negative_constants_round_trip()
    {
        var trees = new Expr[]
        {
            new UnaryCall(UnaryOp.Neg, new UnaryCall(UnaryOp.Neg, Expr.X)),
            new UnaryCall(UnaryOp.Neg, new Constant(2)),
            new Power(new Constant(-2), Expr.X),
            new BinaryCall(BinaryOp.Sub, Expr.X, new Constant(-1)),
            new BinaryCall(BinaryOp.Mul, new Constant(-0.5), Expr.X),
            new Power(Expr.X, new UnaryCall(UnaryOp.Neg, new Constant(1))),
            new UnaryCall(UnaryOp.Square, new UnaryCall(UnaryOp.Neg, Expr.X)),
            new UnaryCall(UnaryOp.Neg, new UnaryCall(UnaryOp.Square, Expr.X)),
            new UnaryCall(UnaryOp.Square, new UnaryCall(UnaryOp.Square, Expr.X)),
            new UnaryCall(UnaryOp.Scale, new UnaryCall(UnaryOp.Shift, Expr.X)),
            new UnaryCall(UnaryOp.Neg, new UnaryCall(UnaryOp.X, new UnaryCall(UnaryOp.Neg, Expr.X))),
        };
        foreach (var tree in trees)
        {
            var text = ExpressionPrinter.Print(tree);
            var parsed = ExpressionParser.Parse(text);
            foreach (var x in new[] { -1.7, -0.3, 0.6, 2.1 })
                Assert.Equal(ExpressionEvaluator.Value(tree, x, 0.8), ExpressionEvaluator.Value(parsed, x, 0.8), 12);
            // a parsed negative literal is neg(constant), which may print differently from a Constant(-c),
            // but from then on printing is a fixed point
            var once = ExpressionPrinter.Print(parsed);
            Assert.Equal(once, ExpressionPrinter.Print(ExpressionParser.Parse(once)));
        }
    }
}
