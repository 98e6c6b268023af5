using EvoAct.Search.Expressions;
using EvoAct.Training.Activations;
using TorchSharp;
using static TorchSharp.torch;

namespace EvoAct.Training.Tests.Activations;

/// <summary>
/// Helpers shared by the activation tests: compile an expression to a float64 module, run it on
/// a column of points (shape [n, 1], one channel), take input gradients, and set betas.
/// </summary>
internal static class ActivationTestKit
{
    public const double Eps = 1e-7;

    /// <summary>Parses and compiles <paramref name="text"/>; the module is converted to float64.</summary>
    public static ActivationModule Compile(string text, int channels = 1) =>
        Compile(ExpressionParser.Parse(text), channels);

    public static ActivationModule Compile(Expr expr, int channels = 1)
    {
        var module = new ActivationModule(expr, channels);
        module.to(ScalarType.Float64);
        return module;
    }

    public static Tensor Column(double[] xs) => tensor(xs, dtype: float64).reshape(xs.Length, 1);

    /// <summary>The module's outputs at <paramref name="xs"/> (input shape [n, 1]).</summary>
    public static double[] Forward(ActivationModule module, double[] xs)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var y = module.forward(Column(xs));
        Assert.Equal(ScalarType.Float64, y.dtype);
        Assert.Equal(new long[] { xs.Length, 1 }, y.shape);
        return y.data<double>().ToArray();
    }

    public static double Forward(ActivationModule module, double x) => Forward(module, new[] { x })[0];

    /// <summary>d f / d x at each point by autograd (the op is elementwise, so grad of the sum).</summary>
    public static double[] InputGradient(ActivationModule module, double[] xs)
    {
        using var scope = NewDisposeScope();
        var x = Column(xs).requires_grad_(true);
        var y = module.forward(x);
        y.sum().backward();
        // No grad at all when the output does not depend on x (beta(x)): the derivative is 0.
        var g = x.grad is { } grad ? grad.data<double>().ToArray() : new double[xs.Length];
        ZeroBetaGrads(module);
        return g;
    }

    /// <summary>Central finite difference of the module's own forward.</summary>
    public static double[] FiniteDifference(ActivationModule module, double[] xs, double h = 1e-6)
    {
        var plus = Forward(module, xs.Select(v => v + h).ToArray());
        var minus = Forward(module, xs.Select(v => v - h).ToArray());
        return plus.Zip(minus, (p, m) => (p - m) / (2 * h)).ToArray();
    }

    /// <summary>Sets every channel of every beta to <paramref name="value"/>.</summary>
    public static void SetAllBetas(ActivationModule module, double value)
    {
        using var _ = no_grad();
        foreach (var p in module.Betas) p.fill_(value);
    }

    public static void SetBeta(ActivationModule module, int index, int channel, double value)
    {
        using var _ = no_grad();
        using var view = module.Betas[index][channel];
        view.fill_(value);
    }

    public static double GetBeta(ActivationModule module, int index, int channel) =>
        module.Betas[index].data<double>()[channel];

    public static void ZeroBetaGrads(ActivationModule module)
    {
        foreach (var p in module.Betas)
            if (p.grad is { } g) { using var _ = no_grad(); g.zero_(); }
    }

    /// <summary>|actual - expected| &lt;= tol * max(1, |expected|); NaN matches NaN, infinities match exactly.</summary>
    public static void Close(double expected, double actual, double tol, string what) => Close(expected, actual, tol, () => what);

    /// <summary>As above, with the message built only on failure (for hot loops).</summary>
    public static void Close(double expected, double actual, double tol, Func<string> describe)
    {
        if (IsClose(expected, actual, tol)) return;
        string what = describe();
        if (double.IsNaN(expected))
        {
            Assert.True(double.IsNaN(actual), $"{what}: expected NaN, got {actual:R}");
            return;
        }
        if (double.IsInfinity(expected))
        {
            Assert.True(expected == actual, $"{what}: expected {expected}, got {actual:R}");
            return;
        }
        double err = Math.Abs(actual - expected), bound = tol * Math.Max(1.0, Math.Abs(expected));
        Assert.True(err <= bound, $"{what}: expected {expected:R}, got {actual:R} (error {err:E3} > {bound:E3})");
    }

    public static bool IsClose(double expected, double actual, double tol) =>
        double.IsNaN(expected) ? double.IsNaN(actual)
        : double.IsInfinity(expected) ? expected == actual
        : Math.Abs(actual - expected) <= tol * Math.Max(1.0, Math.Abs(expected));

    // ---- Independent closed forms (Math.* only, nothing from EvoAct.Search) ----

    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>Accurate log(1 + u) for u &gt;= 0 (Goldberg's trick).</summary>
    public static double Log1p(double u)
    {
        double w = 1 + u;
        return w == 1 ? u : Math.Log(w) * u / (w - 1);
    }

    /// <summary>log(1 + e^x) without overflow.</summary>
    public static double Softplus(double x) => x > 0 ? x + Log1p(Math.Exp(-x)) : Log1p(Math.Exp(x));

    public static double Sinc(double x) => x == 0 ? 1 : Math.Sin(x) / x;

    public static double SincPrime(double x) => x == 0 ? 0 : (x * Math.Cos(x) - Math.Sin(x)) / (x * x);

    /// <summary>
    /// erf by its alternating Maclaurin series 2/sqrt(pi) sum (-1)^n x^(2n+1) / (n! (2n+1)), summed in
    /// a different way from the project's evaluator. Good to ~1e-14 for |x| &lt;= 2.5.
    /// </summary>
    public static double Erf(double x)
    {
        if (Math.Abs(x) > 2.5) throw new ArgumentOutOfRangeException(nameof(x), "test erf is only accurate for |x| <= 2.5");
        double sum = 0, power = x; // x^(2n+1) / n!
        for (int n = 0; n < 200; n++)
        {
            double term = power / (2 * n + 1);
            sum += term;
            if (Math.Abs(term) < 1e-18) break;
            power *= -x * x / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }
}
