using EvoAct.Search.Expressions;
using EvoAct.Search.Ops;
using static EvoAct.Training.Tests.Activations.ActivationTestKit;

namespace EvoAct.Training.Tests.Activations;

/// <summary>
/// The compiled module's forward, in float64, against closed forms of shared/paper/search-space.md
/// section 1, op by op.
/// </summary>
public class ActivationOpTests
{
    const double Tol = 1e-12;

    [Fact]
    public void The_catalogue_covers_every_op_of_the_paper()
    {
        Assert.Equal(25, OpNames.AllUnary.Count);
        Assert.Equal(10, OpNames.AllBinary.Count);
        Assert.Equal(OpNames.AllUnary.Select(o => o.Name()).Order(), OpCatalogue.Unary.Select(c => c.Op).Order());
        Assert.Equal(OpNames.AllBinary.Select(o => o.Name()).Order(), OpCatalogue.Binary.Select(c => c.Op).Distinct().Order());
    }

    [Theory]
    [MemberData(nameof(OpCatalogue.UnaryNames), MemberType = typeof(OpCatalogue))]
    public void Unary_op_matches_its_closed_form(string op)
    {
        var c = OpCatalogue.UnaryByName(op);
        var expr = ExpressionParser.Parse(c.Expression);
        Assert.Equal(new UnaryCall(Parse(op), Expr.X), expr);
        var module = Compile(expr);
        foreach (var beta in new[] { 1.0, 0.65, -1.3 })
        {
            if (beta != 1.0) SetAllBetas(module, beta);
            var ys = Forward(module, c.Points);
            for (int i = 0; i < c.Points.Length; i++)
                Close(c.F(c.Points[i], beta), ys[i], Tol, $"{c.Expression} at x = {c.Points[i]}, beta = {beta}");
        }
    }

    static UnaryOp Parse(string op) => OpNames.TryParseUnary(op, out var u) ? u : throw new ArgumentException(op);

    [Theory]
    [MemberData(nameof(OpCatalogue.BinaryExpressions), MemberType = typeof(OpCatalogue))]
    public void Binary_op_matches_its_closed_form(string expression)
    {
        var c = OpCatalogue.BinaryByExpression(expression);
        var expr = ExpressionParser.Parse(c.Expression);
        Assert.True(expr is BinaryCall { Op: var op } && op.Name() == c.Op, $"{expression} parses to {expr}");
        var module = Compile(expr);
        foreach (var beta in new[] { 1.0, 0.65, 2.5 })
        {
            if (beta != 1.0) SetAllBetas(module, beta);
            var ys = Forward(module, c.Points);
            for (int i = 0; i < c.Points.Length; i++)
                Close(c.F(c.Points[i], beta), ys[i], Tol, $"{c.Expression} at x = {c.Points[i]}, beta = {beta}");
        }
    }

    [Fact]
    public void Sinc_is_unnormalised_and_one_at_zero()
    {
        var module = Compile("sinc(x)");
        double[] xs = [0.0, -0.0, 1e-12, -1e-8, 1e-5, Math.PI, -Math.PI, 2 * Math.PI, 0.5 * Math.PI, 1.0, 10.0];
        var ys = Forward(module, xs);
        Assert.Equal(1.0, ys[0]);
        Assert.Equal(1.0, ys[1]);
        for (int i = 0; i < xs.Length; i++) Close(Sinc(xs[i]), ys[i], Tol, $"sinc({xs[i]})");
        // Not torch's normalised sin(pi x)/(pi x): that would be 0 at x = 1 and sin(1)/1 = 0.84 here.
        Close(Math.Sin(1.0), ys[Array.IndexOf(xs, 1.0)], Tol, "sinc(1) = sin(1)");
        Assert.True(Math.Abs(ys[Array.IndexOf(xs, Math.PI)]) < 1e-15, "sinc(pi) = 0");
        Close(2 / Math.PI, ys[Array.IndexOf(xs, 0.5 * Math.PI)], Tol, "sinc(pi/2) = 2/pi");
    }

    [Fact]
    public void Softplus_is_stable_at_large_magnitudes()
    {
        var module = Compile("softplus(x)");
        double[] xs = [-1000, -745, -100, -30, -20, -5, 0, 5, 20, 30, 100, 745, 1000];
        var ys = Forward(module, xs);
        for (int i = 0; i < xs.Length; i++)
        {
            Assert.True(double.IsFinite(ys[i]), $"softplus({xs[i]}) = {ys[i]}");
            Assert.True(ys[i] >= 0, $"softplus({xs[i]}) = {ys[i]} < 0");
            Close(Softplus(xs[i]), ys[i], Tol, $"softplus({xs[i]})");
        }
        Assert.Equal(1000.0, ys[^1]);
        Assert.Equal(Math.Log(2), ys[Array.IndexOf(xs, 0.0)], 15);
        Assert.True(ys[0] < 1e-300, $"softplus(-1000) = {ys[0]}");
        // log(1 + e^-30) is 9.4e-14 and must not round to 0 (or to anything else).
        Close(Math.Exp(-30), ys[Array.IndexOf(xs, -30.0)], 1e-12 * Math.Exp(-30), "softplus(-30)");
    }

    [Fact]
    public void Softplus_gradient_is_finite_at_large_magnitudes()
    {
        var module = Compile("softplus(x)");
        double[] xs = [-1000, 0, 1000];
        var g = InputGradient(module, xs);
        Assert.Equal(0.0, g[0], 15);
        Assert.Equal(0.5, g[1], 15);
        Assert.Equal(1.0, g[2], 15);
    }

    [Fact]
    public void Logabs_uses_eps_near_zero()
    {
        var module = Compile("logabs(x)");
        double[] xs = [0.0, 1e-7, -1e-7, 1e-9, -3e-7, 1e-3];
        var ys = Forward(module, xs);
        Close(Math.Log(1e-7), ys[0], Tol, "logabs(0) = log(eps)");
        Close(Math.Log(2e-7), ys[1], Tol, "logabs(eps) = log(2 eps)");
        Close(Math.Log(2e-7), ys[2], Tol, "logabs(-eps) = log(2 eps)");
        Close(Math.Log(1.01e-7), ys[3], Tol, "logabs(1e-9)");
        Close(Math.Log(4e-7), ys[4], Tol, "logabs(-3e-7)");
        Close(Math.Log(1e-3 + 1e-7), ys[5], Tol, "logabs(1e-3)");
        Assert.All(ys, y => Assert.True(double.IsFinite(y)));
    }

    [Fact]
    public void Div_adds_eps_to_the_denominator()
    {
        var module = Compile("div(1, x)");
        double[] xs = [0.0, 1e-7, 3e-7, -3e-7, 2.0];
        var ys = Forward(module, xs);
        Close(1e7, ys[0], Tol, "1 / (0 + eps)");
        Close(1 / 2e-7, ys[1], Tol, "1 / (eps + eps)");
        Close(1 / 4e-7, ys[2], Tol, "1 / (3 eps + eps)");
        Close(1 / -2e-7, ys[3], Tol, "1 / (-3 eps + eps)");
        Close(1 / (2.0 + 1e-7), ys[4], Tol, "1 / (2 + eps)");

        // Infix '/' is the same div: x / x at x = eps is eps / (2 eps) = 1/2, not 1.
        var infix = Compile("x / x");
        Close(0.5, Forward(infix, 1e-7), Tol, "x / x at eps");
        Close(1 / (1 + 1e-7), Forward(infix, 1.0), Tol, "x / x at 1");
    }

    [Fact]
    public void Sqrt_of_a_negative_number_is_nan_not_clamped()
    {
        var ys = Forward(Compile("sqrt(x)"), [-1.0, 0.0, 4.0]);
        Assert.True(double.IsNaN(ys[0]));
        Assert.Equal(0.0, ys[1]);
        Assert.Equal(2.0, ys[2]);
    }

    [Fact]
    public void Beta_op_and_beta_parameter_output_beta_whatever_x()
    {
        foreach (var text in new[] { "beta(x)", "beta", "beta(exp(x))" })
        {
            var module = Compile(text);
            SetAllBetas(module, -0.375);
            var ys = Forward(module, OpCatalogue.Points);
            Assert.All(ys, y => Assert.Equal(-0.375, y));
        }
    }

    [Fact]
    public void Constants_and_powers_match_closed_forms()
    {
        var cases = new (string Text, Func<double, double> F)[]
        {
            ("2.5", x => 2.5),
            ("x^2", x => x * x),
            ("x^3 - 2 * x", x => x * x * x - 2 * x),
            ("(x^2 + 1)^0.5", x => Math.Sqrt(x * x + 1)),
            ("x^-2", x => 1 / (x * x)),
            ("exp(x)^x", x => Math.Exp(x * x)),
            ("-x^2", x => -(x * x)),
            ("1e-3 * x + 4", x => 1e-3 * x + 4),
        };
        foreach (var (text, f) in cases)
        {
            var ys = Forward(Compile(text), OpCatalogue.Points);
            for (int i = 0; i < ys.Length; i++) Close(f(OpCatalogue.Points[i]), ys[i], Tol, $"{text} at {OpCatalogue.Points[i]}");
        }
    }
}
