using EvoAct.Search.Ops;
using static EvoAct.Training.Tests.Activations.ActivationTestKit;

namespace EvoAct.Training.Tests.Activations;

/// <summary>
/// Every op of shared/paper/search-space.md section 1, as an expression to compile and its closed
/// form written out here with Math.* (value, and d/dx where the tests need it), with all betas = b.
/// </summary>
internal static class OpCatalogue
{
    /// <summary>Points away from 0 (the kink of abs, relu, min0, logabs, ...), both signs, up to |x| = 3.7.</summary>
    public static readonly double[] Points =
        [-3.7, -2.9, -2.3, -1.45, -1.1, -0.8, -0.3, -0.02, 0.015, 0.27, 0.55, 0.9, 1.6, 2.45, 3.3];

    public static readonly double[] PositivePoints = [0.003, 0.04, 0.27, 0.9, 1.6, 2.45, 3.3, 7.5, 42.0];

    public sealed record Case(string Op, string Expression, Func<double, double, double> F, double[] Points)
    {
        public override string ToString() => Expression;
    }

    public sealed record UnaryCase(string Op, string Expression, Func<double, double, double> F,
                                   Func<double, double, double> Derivative, double[] Points)
    {
        public override string ToString() => Expression;
    }

    static UnaryCase U(string op, Func<double, double, double> f, Func<double, double, double> d, double[]? points = null) =>
        new(op, $"{op}(x)", f, d, points ?? Points);

    public static readonly UnaryCase[] Unary =
    [
        U("x", (x, b) => x, (x, b) => 1),
        U("neg", (x, b) => -x, (x, b) => -1),
        U("abs", (x, b) => Math.Abs(x), (x, b) => Math.Sign(x)),
        U("square", (x, b) => x * x, (x, b) => 2 * x),
        U("cube", (x, b) => x * x * x, (x, b) => 3 * x * x),
        U("sqrt", (x, b) => Math.Sqrt(x), (x, b) => 0.5 / Math.Sqrt(x), PositivePoints),
        U("scale", (x, b) => b * x, (x, b) => b),
        U("shift", (x, b) => x + b, (x, b) => 1),
        U("logabs", (x, b) => Math.Log(Math.Abs(x) + Eps), (x, b) => Math.Sign(x) / (Math.Abs(x) + Eps)),
        U("exp", (x, b) => Math.Exp(x), (x, b) => Math.Exp(x)),
        U("sin", (x, b) => Math.Sin(x), (x, b) => Math.Cos(x)),
        U("cos", (x, b) => Math.Cos(x), (x, b) => -Math.Sin(x)),
        U("sinh", (x, b) => Math.Sinh(x), (x, b) => Math.Cosh(x)),
        U("cosh", (x, b) => Math.Cosh(x), (x, b) => Math.Sinh(x)),
        U("tanh", (x, b) => Math.Tanh(x), (x, b) => 1 / (Math.Cosh(x) * Math.Cosh(x))),
        U("asinh", (x, b) => Math.Asinh(x), (x, b) => 1 / Math.Sqrt(1 + x * x)),
        U("atan", (x, b) => Math.Atan(x), (x, b) => 1 / (1 + x * x)),
        U("sinc", (x, b) => Sinc(x), (x, b) => SincPrime(x)),
        U("relu", (x, b) => x > 0 ? x : 0, (x, b) => x > 0 ? 1 : 0),
        U("min0", (x, b) => x < 0 ? x : 0, (x, b) => x < 0 ? 1 : 0),
        U("sigmoid", (x, b) => 1 / (1 + Math.Exp(-x)), (x, b) => Math.Exp(-x) / ((1 + Math.Exp(-x)) * (1 + Math.Exp(-x)))),
        U("softplus", (x, b) => Math.Log(1 + Math.Exp(x)), (x, b) => 1 / (1 + Math.Exp(-x))),
        U("gauss", (x, b) => Math.Exp(-x * x), (x, b) => -2 * x * Math.Exp(-x * x)),
        U("erf", (x, b) => Erf(x), (x, b) => 2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x), Points.Where(x => Math.Abs(x) <= 2.5).ToArray()),
        U("beta", (x, b) => b, (x, b) => 0),
    ];

    static Case B(string op, string second, Func<double, double, double> f, double[]? points = null) =>
        new(op, $"{op}(x, {second})", f, points ?? Points);

    /// <summary>
    /// Binary ops as name(x, g(x)). The second arguments are chosen so that no point is a tie of
    /// max/min, a kink of laplacediff, or near the pole of div.
    /// </summary>
    public static readonly Case[] Binary =
    [
        B("add", "sin(x)", (x, b) => x + Math.Sin(x)),
        B("mul", "sin(x)", (x, b) => x * Math.Sin(x)),
        B("sub", "0.5 * x", (x, b) => x - 0.5 * x),
        B("div", "exp(x)", (x, b) => x / (Math.Exp(x) + Eps)),
        B("max", "sin(x)", (x, b) => Math.Max(x, Math.Sin(x))),
        B("min", "cos(x)", (x, b) => Math.Min(x, Math.Cos(x))),
        B("sigmul", "sin(x)", (x, b) => Sigmoid(x) * Math.Sin(x)),
        B("gaussdiff", "sin(x)", (x, b) => Math.Exp(-b * (x - Math.Sin(x)) * (x - Math.Sin(x)))),
        B("laplacediff", "sin(x)", (x, b) => Math.Exp(-b * Math.Abs(x - Math.Sin(x)))),
        B("mix", "sin(x)", (x, b) => b * x + (1 - b) * Math.Sin(x)),
        // The same ops with the arguments the other way round, and second arguments that reach
        // the other branch / the other side of the operation.
        new("div", "div(sin(x), x)", (x, b) => Math.Sin(x) / (x + Eps), Points),
        new("max", "max(0.5 * x, tanh(x))", (x, b) => Math.Max(0.5 * x, Math.Tanh(x)), Points),
        new("min", "min(sin(x), x)", (x, b) => Math.Min(Math.Sin(x), x), Points),
        new("sigmul", "sigmul(sin(x), x)", (x, b) => Sigmoid(Math.Sin(x)) * x, Points),
        new("gaussdiff", "gaussdiff(cos(x), x)", (x, b) => Math.Exp(-b * (Math.Cos(x) - x) * (Math.Cos(x) - x)), Points),
        new("laplacediff", "laplacediff(0.5 * x, x)", (x, b) => Math.Exp(-b * Math.Abs(0.5 * x - x)), Points),
        new("mix", "mix(cos(x), x)", (x, b) => b * Math.Cos(x) + (1 - b) * x, Points),
    ];

    public static IEnumerable<object[]> UnaryNames() => Unary.Select(c => new object[] { c.Op });
    public static IEnumerable<object[]> BinaryExpressions() => Binary.Select(c => new object[] { c.Expression });

    public static UnaryCase UnaryByName(string op) => Unary.Single(c => c.Op == op);
    public static Case BinaryByExpression(string text) => Binary.Single(c => c.Expression == text);

    public static bool UsesBeta(string op) =>
        OpNames.TryParseUnary(op, out var u) ? u.UsesBeta() : OpNames.TryParseBinary(op, out var b) && b.UsesBeta();
}
