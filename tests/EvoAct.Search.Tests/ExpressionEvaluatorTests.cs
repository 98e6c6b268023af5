using EvoAct.Search.Expressions;
using EvoAct.Search.Ops;

namespace EvoAct.Search.Tests;

public class ExpressionEvaluatorTests
{
    const double Beta = 0.7;
    const double Eps = 1e-7; // the paper's eps, written out independently of OpNames.Eps

    static double Sig(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>Closed forms of the 25 unary ops (value, derivative) straight from the paper's table.</summary>
    static (Func<double, double> F, Func<double, double> D) UnaryClosedForm(UnaryOp op) => op switch
    {
        UnaryOp.X => (x => x, _ => 1),
        UnaryOp.Neg => (x => -x, _ => -1),
        UnaryOp.Abs => (Math.Abs, x => x > 0 ? 1 : -1),
        UnaryOp.Square => (x => x * x, x => 2 * x),
        UnaryOp.Cube => (x => x * x * x, x => 3 * x * x),
        UnaryOp.Sqrt => (Math.Sqrt, x => 1 / (2 * Math.Sqrt(x))),
        UnaryOp.Scale => (x => Beta * x, _ => Beta),
        UnaryOp.Shift => (x => x + Beta, _ => 1),
        UnaryOp.LogAbs => (x => Math.Log(Math.Abs(x) + Eps), x => (x > 0 ? 1 : -1) / (Math.Abs(x) + Eps)),
        UnaryOp.Exp => (Math.Exp, Math.Exp),
        UnaryOp.Sin => (Math.Sin, Math.Cos),
        UnaryOp.Cos => (Math.Cos, x => -Math.Sin(x)),
        UnaryOp.Sinh => (x => (Math.Exp(x) - Math.Exp(-x)) / 2, x => (Math.Exp(x) + Math.Exp(-x)) / 2),
        UnaryOp.Cosh => (x => (Math.Exp(x) + Math.Exp(-x)) / 2, x => (Math.Exp(x) - Math.Exp(-x)) / 2),
        UnaryOp.Tanh => (x => (Math.Exp(2 * x) - 1) / (Math.Exp(2 * x) + 1), x => 1 / Math.Pow(Math.Cosh(x), 2)),
        UnaryOp.Asinh => (x => Math.Log(x + Math.Sqrt(x * x + 1)), x => 1 / Math.Sqrt(1 + x * x)),
        UnaryOp.Atan => (Math.Atan, x => 1 / (1 + x * x)),
        UnaryOp.Sinc => (x => Math.Sin(x) / x, x => (x * Math.Cos(x) - Math.Sin(x)) / (x * x)),
        UnaryOp.Relu => (x => x > 0 ? x : 0, x => x > 0 ? 1 : 0),
        UnaryOp.Min0 => (x => x < 0 ? x : 0, x => x < 0 ? 1 : 0),
        UnaryOp.Sigmoid => (Sig, x => Math.Exp(-x) / Math.Pow(1 + Math.Exp(-x), 2)),
        UnaryOp.Softplus => (x => Math.Log(1 + Math.Exp(x)), Sig),
        UnaryOp.Gauss => (x => Math.Exp(-x * x), x => -2 * x * Math.Exp(-x * x)),
        UnaryOp.Erf => (ErfByQuadrature, x => 2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x)),
        UnaryOp.Beta => (_ => Beta, _ => 0),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    /// <summary>erf by composite Simpson's rule on 2/sqrt(pi) e^-t^2 over [0, x]: independent of the series.</summary>
    static double ErfByQuadrature(double x)
    {
        const int n = 20000;
        double h = x / n, sum = 0;
        for (int i = 0; i <= n; i++)
        {
            double t = i * h, w = i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2;
            sum += w * Math.Exp(-t * t);
        }
        return 2 / Math.Sqrt(Math.PI) * sum * h / 3;
    }

    /// <summary>Points away from every kink; sqrt is probed on the positive ones only.</summary>
    static readonly double[] Points = { -2.3, -1.1, -0.35, 0.2, 0.75, 1.9, 3.2 };

    static void Close(double expected, double actual, double rel, string what)
    {
        Assert.True(Math.Abs(expected - actual) <= rel * Math.Max(1, Math.Abs(expected)),
            $"{what}: expected {expected:R}, got {actual:R}");
    }

    static double CentralDifference(Func<double, double> f, double x, double h = 1e-5) => (f(x + h) - f(x - h)) / (2 * h);

    public static TheoryData<UnaryOp> UnaryOps() => new(OpNames.AllUnary);
    public static TheoryData<BinaryOp> BinaryOps() => new(OpNames.AllBinary);

    [Theory]
    [MemberData(nameof(UnaryOps))]
    public void Unary_op_value_and_derivative_match_the_closed_form(UnaryOp op)
    {
        var (f, df) = UnaryClosedForm(op);
        var e = new UnaryCall(op, Expr.X);
        foreach (var x in Points.Where(p => op != UnaryOp.Sqrt || p > 0))
        {
            var d = ExpressionEvaluator.Evaluate(e, x, Beta);
            Close(f(x), d.Value, op == UnaryOp.Erf ? 1e-12 : 1e-13, $"{op.Name()}({x})");
            Close(df(x), d.Derivative, 1e-12, $"{op.Name()}'({x})");
            // and the derivative agrees with a finite difference of the independent closed form
            Close(CentralDifference(f, x), d.Derivative, 1e-6, $"{op.Name()}'({x}) by finite differences");
        }
    }

    [Theory]
    [MemberData(nameof(UnaryOps))]
    public void Unary_op_derivative_follows_the_chain_rule(UnaryOp op)
    {
        var (_, df) = UnaryClosedForm(op);
        // d/dx op(1.5 x + 0.25) = 1.5 op'(1.5 x + 0.25)
        var inner = new BinaryCall(BinaryOp.Add, new BinaryCall(BinaryOp.Mul, new Constant(1.5), Expr.X), new Constant(0.25));
        var e = new UnaryCall(op, inner);
        foreach (var x in new[] { -1.4, -0.5, 0.3, 1.2 })
        {
            double u = 1.5 * x + 0.25;
            if (op == UnaryOp.Sqrt && u <= 0) continue;
            Close(1.5 * df(u), ExpressionEvaluator.Evaluate(e, x, Beta).Derivative, 1e-12, $"{op.Name()} chain rule at {x}");
        }
    }

    // binary ops are probed on u = sin(x), v = 0.2 x^3 + 0.5, which never meet nor make v + eps = 0 at these points
    static readonly double[] BinaryPoints = { -2.1, -0.6, 0.3, 1.4, 2.2 };
    static double U(double x) => Math.Sin(x);
    static double W(double x) => 0.2 * x * x * x + 0.5;
    const string UText = "sin(x)", WText = "0.2 * x^3 + 0.5";

    static Func<double, double, double> BinaryClosedForm(BinaryOp op) => op switch
    {
        BinaryOp.Add => (a, b) => a + b,
        BinaryOp.Mul => (a, b) => a * b,
        BinaryOp.Sub => (a, b) => a - b,
        BinaryOp.Div => (a, b) => a / (b + Eps),
        BinaryOp.Max => (a, b) => a > b ? a : b,
        BinaryOp.Min => (a, b) => a < b ? a : b,
        BinaryOp.Sigmul => (a, b) => Sig(a) * b,
        BinaryOp.GaussDiff => (a, b) => Math.Exp(-Beta * (a - b) * (a - b)),
        BinaryOp.LaplaceDiff => (a, b) => Math.Exp(-Beta * Math.Abs(a - b)),
        BinaryOp.Mix => (a, b) => Beta * a + (1 - Beta) * b,
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    [Theory]
    [MemberData(nameof(BinaryOps))]
    public void Binary_op_value_and_derivative_match_the_closed_form(BinaryOp op)
    {
        var g = BinaryClosedForm(op);
        var orders = new (string L, string R, Func<double, double> Left, Func<double, double> Right)[]
        {
            (UText, WText, U, W),
            (WText, UText, W, U),
        };
        foreach (var (l, r, left, right) in orders)
        {
            var e = ExpressionParser.Parse($"{op.Name()}({l}, {r})");
            Func<double, double> closed = x => g(left(x), right(x));
            foreach (var x in BinaryPoints)
            {
                var d = ExpressionEvaluator.Evaluate(e, x, Beta);
                Close(closed(x), d.Value, 1e-12, $"{op.Name()}({l}, {r}) at {x}");
                Close(CentralDifference(closed, x), d.Derivative, 1e-6, $"d/dx {op.Name()}({l}, {r}) at {x}");
            }
        }
    }

    [Fact]
    public void Binary_op_derivatives_match_hand_derived_closed_forms()
    {
        // u = sin x, v = x^2 at x = 0.9 (u < v)
        double x = 0.9, u = Math.Sin(x), du = Math.Cos(x), v = x * x, dv = 2 * x;
        var cases = new (string Name, double Expected)[]
        {
            ("add", du + dv),
            ("mul", du * v + u * dv),
            ("sub", du - dv),
            ("div", du / (v + Eps) - u * dv / Math.Pow(v + Eps, 2)),
            ("max", dv),
            ("min", du),
            ("sigmul", Sig(u) * (1 - Sig(u)) * du * v + Sig(u) * dv),
            ("gaussdiff", Math.Exp(-Beta * (u - v) * (u - v)) * -2 * Beta * (u - v) * (du - dv)),
            ("laplacediff", Math.Exp(-Beta * Math.Abs(u - v)) * -Beta * Math.Sign(u - v) * (du - dv)),
            ("mix", Beta * du + (1 - Beta) * dv),
        };
        foreach (var (name, expected) in cases)
            Close(expected, ExpressionEvaluator.Evaluate(ExpressionParser.Parse($"{name}(sin(x), x^2)"), x, Beta).Derivative, 1e-13, name);
    }

    // ---------------------------------------------------------------- special functions

    [Theory]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(2.0, 0.9953222650189527)]
    [InlineData(0.1, 0.1124629160182849)]
    [InlineData(1.5, 0.9661051464753108)]
    [InlineData(3.0, 0.9999779095030014)]
    [InlineData(4.0, 0.9999999845827421)]
    public void Erf_matches_tabulated_values(double x, double erf)
    {
        Assert.InRange(SpecialFunctions.Erf(x) - erf, -1e-14, 1e-14);
        Assert.InRange(SpecialFunctions.Erf(-x) + erf, -1e-14, 1e-14);
        Assert.InRange(ExpressionEvaluator.Value(ExpressionParser.Parse("erf(x)"), x) - erf, -1e-14, 1e-14);
    }

    [Fact]
    public void Erf_limits()
    {
        Assert.Equal(0.0, SpecialFunctions.Erf(0));
        Assert.Equal(1.0, SpecialFunctions.Erf(6));
        Assert.Equal(-1.0, SpecialFunctions.Erf(-10));
        Assert.Equal(1.0, SpecialFunctions.Erf(double.PositiveInfinity));
        Assert.True(double.IsNaN(SpecialFunctions.Erf(double.NaN)));
        // continuous where the series hands over to +-1, and monotone on a fine grid, both up to the
        // documented accuracy of about 1e-15 (the series may overshoot 1 by a few ulps just below 6)
        Assert.InRange(SpecialFunctions.Erf(5.999), 1 - 1e-15, 1 + 1e-15);
        double previous = -1;
        for (int i = -650; i <= 650; i++)
        {
            double x = i / 100.0, e = SpecialFunctions.Erf(x);
            Assert.True(e >= previous - 2e-15, $"erf not monotone at {x}");
            Assert.InRange(e, -1 - 2e-15, 1 + 2e-15);
            previous = e;
        }
    }

    [Fact]
    public void Sinc_is_one_at_zero_with_zero_slope_and_smooth_across_the_taylor_switch()
    {
        var d = ExpressionEvaluator.Evaluate(ExpressionParser.Parse("sinc(x)"), 0);
        Assert.Equal(1.0, d.Value);
        Assert.Equal(0.0, d.Derivative);
        foreach (var x in new[] { 1e-8, 9.99e-5, 1.001e-4, -3e-4, 1e-3 })
        {
            // sin(x)/x = 1 - x^2/6 + x^4/120 - ..., derivative -x/3 + x^3/30 - ...
            Close(1 - x * x / 6 + Math.Pow(x, 4) / 120, SpecialFunctions.Sinc(x), 1e-15, $"sinc({x})");
            Close(-x / 3 + Math.Pow(x, 3) / 30, SpecialFunctions.SincDerivative(x), 1e-12, $"sinc'({x})");
        }
    }

    [Fact]
    public void Softplus_and_sigmoid_are_stable_at_extremes()
    {
        var softplus = ExpressionParser.Parse("softplus(x)");
        var big = ExpressionEvaluator.Evaluate(softplus, 1000);
        Assert.Equal(1000.0, big.Value);
        Assert.Equal(1.0, big.Derivative);
        var small = ExpressionEvaluator.Evaluate(softplus, -1000);
        Assert.True(double.IsFinite(small.Value));
        Assert.InRange(small.Value, 0, 1e-300);
        Assert.True(double.IsFinite(small.Derivative));
        Assert.InRange(small.Derivative, 0, 1e-300);
        // log(1 + e^-30) = e^-30 - e^-60/2 + ...: the naive formula loses most digits here
        Assert.InRange(SpecialFunctions.Softplus(-30) / (Math.Exp(-30) - Math.Exp(-60) / 2) - 1, -1e-12, 1e-12);
        Assert.InRange(SpecialFunctions.Softplus(40) - 40, 0, 1e-17);

        Assert.Equal(1.0, SpecialFunctions.Sigmoid(1000));
        Assert.Equal(0.0, SpecialFunctions.Sigmoid(-1000));
        Assert.InRange(SpecialFunctions.Sigmoid(-40) / Math.Exp(-40) - 1, -1e-12, 1e-12);
        var sig = ExpressionEvaluator.Evaluate(ExpressionParser.Parse("sigmoid(x)"), -1000);
        Assert.True(double.IsFinite(sig.Derivative));
    }

    [Fact]
    public void Sqrt_of_a_negative_is_nan_and_logabs_of_zero_is_finite()
    {
        var d = ExpressionEvaluator.Evaluate(ExpressionParser.Parse("sqrt(x)"), -1);
        Assert.True(double.IsNaN(d.Value));
        Assert.True(double.IsNaN(d.Derivative));
        var at0 = ExpressionEvaluator.Evaluate(ExpressionParser.Parse("sqrt(x)"), 0);
        Assert.Equal(0.0, at0.Value);
        Assert.True(double.IsPositiveInfinity(at0.Derivative));
        Assert.Equal(Math.Log(Eps), ExpressionEvaluator.Value(ExpressionParser.Parse("logabs(x)"), 0), 12);
        Assert.Equal(1 / Eps, ExpressionEvaluator.Value(ExpressionParser.Parse("x / (x - x)"), 1), 6);
    }

    [Theory]
    [InlineData("abs(sqrt(x))")]
    [InlineData("logabs(sqrt(x))")]
    [InlineData("laplacediff(sqrt(x), x)")]
    [InlineData("laplacediff(x, sqrt(x))")]
    [InlineData("relu(sqrt(x))")]
    [InlineData("erf(sqrt(x))")]
    [InlineData("max(sqrt(x), x)")]
    public void Nan_propagates_through_every_op_instead_of_throwing(string text)
    {
        var d = ExpressionEvaluator.Evaluate(ExpressionParser.Parse(text), -2);
        Assert.True(double.IsNaN(d.Value) || double.IsNaN(d.Derivative), $"{text} at -2 gave {d}");
        Assert.True(double.IsNaN(d.Value), $"{text} at -2 gave value {d.Value}");
    }

    [Fact]
    public void Nan_input_propagates_through_every_unary_and_binary_op()
    {
        var nan = new Dual(double.NaN, 1);
        foreach (var op in OpNames.AllUnary.Where(o => o != UnaryOp.Beta))
            Assert.True(double.IsNaN(ExpressionEvaluator.Unary(op, nan, 1).Value), op.Name());
        foreach (var op in OpNames.AllBinary)
        {
            Assert.True(double.IsNaN(ExpressionEvaluator.Binary(op, nan, new Dual(1, 1), 1).Value), op.Name());
            Assert.True(double.IsNaN(ExpressionEvaluator.Binary(op, new Dual(1, 1), nan, 1).Value), op.Name());
        }
    }

    [Fact]
    public void Kinks_follow_pytorch_conventions()
    {
        static Dual At0(string s) => ExpressionEvaluator.Evaluate(ExpressionParser.Parse(s), 0);
        Assert.Equal(new Dual(0, 0), At0("relu(x)"));
        Assert.Equal(new Dual(0, 0), At0("abs(x)"));
        Assert.Equal(new Dual(0, 0), At0("min0(x)"));
        // ties of max/min split the gradient
        Assert.Equal(new Dual(0, 0), At0("max(x, -x)"));
        Assert.Equal(new Dual(0, 1), At0("max(x, x)"));
        Assert.Equal(new Dual(0, 0.5), At0("min(x, 0)"));
        Assert.Equal(new Dual(1, 0), At0("laplacediff(x, x)"));
    }

    [Fact]
    public void Power_values_and_derivatives()
    {
        static Dual At(string s, double x) => ExpressionEvaluator.Evaluate(ExpressionParser.Parse(s), x);
        // a constant exponent works for negative bases
        Assert.Equal(new Dual(9, -6), At("x^2", -3));
        Assert.Equal(new Dual(-27, 27), At("x^3", -3));
        Assert.Equal(new Dual(1, 0), At("x^0", 0));
        var exp2 = At("2^x", 1.5);
        Close(Math.Pow(2, 1.5), exp2.Value, 1e-15, "2^x");
        Close(Math.Pow(2, 1.5) * Math.Log(2), exp2.Derivative, 1e-15, "d 2^x");
        var xx = At("x^x", 2);
        Close(4, xx.Value, 1e-15, "x^x");
        Close(4 * (Math.Log(2) + 1), xx.Derivative, 1e-14, "d x^x");
        var sqrt = At("x^0.5", 2.25);
        Close(1.5, sqrt.Value, 1e-15, "x^0.5");
        Close(0.5 / 1.5, sqrt.Derivative, 1e-15, "d x^0.5");
    }

    [Fact]
    public void Every_beta_takes_the_given_value()
    {
        // scale, shift, beta, gaussdiff, laplacediff, mix and a bare beta all read the same beta
        var e = ExpressionParser.Parse("scale(x) + shift(x) + beta(x) + gaussdiff(x, 0) + laplacediff(x, 0) + mix(x, 1) + beta");
        Assert.Equal(7, e.BetaCount);
        foreach (var b in new[] { 0.3, 1.0, 2.5 })
            foreach (var x in new[] { -1.2, 0.7 })
            {
                double expected = b * x + (x + b) + b + Math.Exp(-b * x * x) + Math.Exp(-b * Math.Abs(x)) + (b * x + (1 - b)) + b;
                Close(expected, ExpressionEvaluator.Value(e, x, b), 1e-14, $"beta={b}, x={x}");
            }
    }
}
