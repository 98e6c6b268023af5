using EvoAct.Search.Expressions;
using EvoAct.Search.Genomes;
using EvoAct.Search.Ops;

namespace EvoAct.Search.Tests;

public class GenomeTests
{
    static Genome G(params CoreUnit[] units) => new(units);
    static CoreUnit U(UnaryOp a, UnaryOp b, BinaryOp c) => new(a, b, c);

    [Fact]
    public void One_core_unit_reads_x_twice()
    {
        var g = G(U(UnaryOp.Sin, UnaryOp.Cos, BinaryOp.Add));
        Assert.Equal(new BinaryCall(BinaryOp.Add, new UnaryCall(UnaryOp.Sin, Expr.X), new UnaryCall(UnaryOp.Cos, Expr.X)), g.ToExpr());
    }

    [Fact]
    public void Later_core_units_read_the_previous_output_and_x()
    {
        // y1 = b1(u1(x), u2(x)), y2 = b2(u3(y1), u4(x))
        var g = G(U(UnaryOp.Sin, UnaryOp.Cos, BinaryOp.Add), U(UnaryOp.Tanh, UnaryOp.Relu, BinaryOp.Mul));
        var y1 = new BinaryCall(BinaryOp.Add, new UnaryCall(UnaryOp.Sin, Expr.X), new UnaryCall(UnaryOp.Cos, Expr.X));
        var y2 = new BinaryCall(BinaryOp.Mul, new UnaryCall(UnaryOp.Tanh, y1), new UnaryCall(UnaryOp.Relu, Expr.X));
        Assert.Equal(y2, g.ToExpr());
        foreach (var x in new[] { -1.5, 0.25, 2.0 })
            Assert.Equal(Math.Tanh(Math.Sin(x) + Math.Cos(x)) * Math.Max(x, 0), ExpressionEvaluator.Value(g.ToExpr(), x), 14);
    }

    [Fact]
    public void Three_core_units_chain()
    {
        var g = G(U(UnaryOp.X, UnaryOp.X, BinaryOp.Add), U(UnaryOp.Square, UnaryOp.X, BinaryOp.Sub), U(UnaryOp.Exp, UnaryOp.Neg, BinaryOp.Max));
        foreach (var x in new[] { -2.0, -0.3, 0.8 })
        {
            double y1 = x + x, y2 = y1 * y1 - x, y3 = Math.Max(Math.Exp(y2), -x);
            Assert.Equal(y3, ExpressionEvaluator.Value(g.ToExpr(), x), 12);
        }
    }

    [Theory]
    [InlineData("x x sigmul", "sigmul(x, x)")]
    [InlineData("x sigmoid mul", "x * sigmoid(x)")]
    [InlineData("x scale sigmul", "sigmul(x, beta * x)")]
    [InlineData("x sigmoid max", "max(x, sigmoid(x))")]
    [InlineData("cos x sub", "cos(x) - x")]
    [InlineData("x sin min", "min(x, sin(x))")]
    [InlineData("x tanh max", "max(x, tanh(x))")]
    [InlineData("sinc x add", "sinc(x) + x")]
    [InlineData("atan atan max | square x sub", "max(atan(x), atan(x))^2 - x")]
    [InlineData("x x add | neg shift div", "-(x + x) / (x + beta)")]
    [InlineData("relu beta mix | cube x laplacediff", "laplacediff(mix(relu(x), beta)^3, x)")]
    public void Genomes_print_in_the_papers_notation(string encoded, string expression)
    {
        Assert.Equal(expression, Genome.Decode(encoded).ToExpression());
    }

    [Fact]
    public void Genome_for_x_times_asinh_squared_computes_it()
    {
        // x * asinh(x)^2 as two core units: y1 = max(asinh x, asinh x), y2 = square(y1) * x
        var g = Genome.Decode("asinh asinh max | square x mul");
        foreach (var x in new[] { -3.0, -0.4, 0.9, 2.6 })
            Assert.Equal(x * Math.Pow(Math.Log(x + Math.Sqrt(x * x + 1)), 2), ExpressionEvaluator.Value(g.ToExpr(), x), 12);
    }

    [Fact]
    public void Slots_are_addressed_flatly()
    {
        var g = Genome.Decode("sin cos add | tanh relu mul | exp neg max");
        Assert.Equal(6, g.UnarySlots);
        Assert.Equal(3, g.BinarySlots);
        Assert.Equal([UnaryOp.Sin, UnaryOp.Cos, UnaryOp.Tanh, UnaryOp.Relu, UnaryOp.Exp, UnaryOp.Neg],
            Enumerable.Range(0, 6).Select(g.Unary));
        Assert.Equal([BinaryOp.Add, BinaryOp.Mul, BinaryOp.Max], Enumerable.Range(0, 3).Select(g.Binary));
    }

    [Fact]
    public void WithUnary_and_WithBinary_change_one_slot_and_leave_the_original_alone()
    {
        var g = Genome.Decode("sin cos add | tanh relu mul");
        for (int slot = 0; slot < g.UnarySlots; slot++)
        {
            var changed = g.WithUnary(slot, UnaryOp.Erf);
            for (int s = 0; s < g.UnarySlots; s++)
                Assert.Equal(s == slot ? UnaryOp.Erf : g.Unary(s), changed.Unary(s));
            for (int s = 0; s < g.BinarySlots; s++)
                Assert.Equal(g.Binary(s), changed.Binary(s));
        }
        for (int slot = 0; slot < g.BinarySlots; slot++)
        {
            var changed = g.WithBinary(slot, BinaryOp.Mix);
            for (int s = 0; s < g.BinarySlots; s++)
                Assert.Equal(s == slot ? BinaryOp.Mix : g.Binary(s), changed.Binary(s));
            for (int s = 0; s < g.UnarySlots; s++)
                Assert.Equal(g.Unary(s), changed.Unary(s));
        }
        Assert.Equal("sin cos add | tanh relu mul", g.Encode());
        Assert.Equal("sin cos add | tanh erf mul", g.WithUnary(3, UnaryOp.Erf).Encode());
        Assert.Equal("sin cos mix | tanh relu mul", g.WithBinary(0, BinaryOp.Mix).Encode());
    }

    [Fact]
    public void Equality_is_by_value()
    {
        var a = Genome.Decode("sin cos add | tanh relu mul");
        var b = G(U(UnaryOp.Sin, UnaryOp.Cos, BinaryOp.Add), U(UnaryOp.Tanh, UnaryOp.Relu, BinaryOp.Mul));
        Assert.Equal(a, b);
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b.WithUnary(0, UnaryOp.Cos));
        Assert.NotEqual(a, Genome.Decode("sin cos add"));
        Assert.False(a.Equals(null));
    }

    [Fact]
    public void Encode_uses_op_names_and_decode_tolerates_spacing()
    {
        var g = G(U(UnaryOp.LogAbs, UnaryOp.Min0, BinaryOp.GaussDiff), U(UnaryOp.X, UnaryOp.Beta, BinaryOp.LaplaceDiff));
        Assert.Equal("logabs min0 gaussdiff | x beta laplacediff", g.Encode());
        Assert.Equal(g.Encode(), g.ToString());
        Assert.Equal(g, Genome.Decode("  logabs   min0 gaussdiff|x beta  laplacediff "));
    }

    [Theory]
    [InlineData("")]
    [InlineData("sin cos")]
    [InlineData("sin cos add mul")]
    [InlineData("sin cos plus")]
    [InlineData("sigmod x add")]
    [InlineData("add x sin")]
    [InlineData("sin cos add |")]
    [InlineData("sin cos add || x x add")]
    public void Decode_rejects_malformed_text(string text)
    {
        var e = Assert.Throws<FormatException>(() => Genome.Decode(text));
        Assert.Contains("expected 'unary unary binary'", e.Message);
    }

    [Fact]
    public void A_genome_needs_a_core_unit()
    {
        Assert.Throws<ArgumentException>(() => new Genome([]));
    }
}
