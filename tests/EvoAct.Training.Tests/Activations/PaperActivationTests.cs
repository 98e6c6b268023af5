using EvoAct.Search.Expressions;
using static EvoAct.Training.Tests.Activations.ActivationTestKit;

namespace EvoAct.Training.Tests.Activations;

/// <summary>The eight top activations of Ramachandran et al. (2017), compiled, against closed forms.</summary>
public class PaperActivationTests
{
    static double Asinh(double x) => Math.Log(x + Math.Sqrt(x * x + 1));

    public sealed record Paper(string Text, int Betas, Func<double, double, double> F, Func<double, double, double> D);

    static readonly Paper[] All =
    [
        new("x * sigmoid(beta * x)", 1,
            (x, b) => x / (1 + Math.Exp(-b * x)),
            (x, b) => Sigmoid(b * x) + b * x * Sigmoid(b * x) * (1 - Sigmoid(b * x))),
        new("max(x, sigmoid(x))", 0,
            (x, b) => Math.Max(x, 1 / (1 + Math.Exp(-x))),
            (x, b) => x > Sigmoid(x) ? 1 : Sigmoid(x) * (1 - Sigmoid(x))),
        new("cos(x) - x", 0, (x, b) => Math.Cos(x) - x, (x, b) => -Math.Sin(x) - 1),
        new("min(x, sin(x))", 0,
            (x, b) => Math.Min(x, Math.Sin(x)),
            (x, b) => x < 0 ? 1 : Math.Cos(x)),
        new("atan(x)^2 - x", 0,
            (x, b) => Math.Atan(x) * Math.Atan(x) - x,
            (x, b) => 2 * Math.Atan(x) / (1 + x * x) - 1),
        new("max(x, tanh(x))", 0,
            (x, b) => Math.Max(x, Math.Tanh(x)),
            (x, b) => x > 0 ? 1 : 1 - Math.Tanh(x) * Math.Tanh(x)),
        new("sinc(x) + x", 0, (x, b) => Sinc(x) + x, (x, b) => SincPrime(x) + 1),
        new("x * asinh(x)^2", 0,
            (x, b) => x * Asinh(x) * Asinh(x),
            (x, b) => Asinh(x) * Asinh(x) + 2 * x * Asinh(x) / Math.Sqrt(1 + x * x)),
    ];

    public static IEnumerable<object[]> Texts() => All.Select(p => new object[] { p.Text });

    // Avoids the ties 0 and 0.6590 (x = sigmoid(x)).
    static readonly double[] Xs = [-6, -3.3, -2, -1.2, -0.5, -0.01, 0.02, 0.4, 0.95, 1.5, 2.2, 3.7, 6];

    [Theory]
    [MemberData(nameof(Texts))]
    public void Paper_activation_matches_its_closed_form_and_derivative(string text)
    {
        var p = All.Single(a => a.Text == text);
        var expr = ExpressionParser.Parse(text);
        Assert.Equal(text, ExpressionPrinter.Print(expr));
        Assert.Equal(p.Betas, expr.BetaCount);
        var module = Compile(expr);
        Assert.Equal(p.Betas, module.Betas.Count);

        foreach (var beta in p.Betas == 0 ? new[] { 1.0 } : new[] { 1.0, 0.5, 2.0 })
        {
            SetAllBetas(module, beta);
            var ys = Forward(module, Xs);
            var gs = InputGradient(module, Xs);
            for (int i = 0; i < Xs.Length; i++)
            {
                Close(p.F(Xs[i], beta), ys[i], 1e-12, $"{text} at {Xs[i]}, beta = {beta}");
                Close(p.D(Xs[i], beta), gs[i], 1e-11, $"d/dx {text} at {Xs[i]}, beta = {beta}");
            }
        }
    }

    [Fact]
    public void Sinc_plus_x_is_one_at_zero()
    {
        var module = Compile("sinc(x) + x");
        Assert.Equal(1.0, Forward(module, 0.0));
        Assert.Equal(1.0, InputGradient(module, [0.0])[0]);
    }

    [Fact]
    public void Swish_with_beta_one_is_x_sigmoid_x_and_beta_is_trainable()
    {
        var swish = Compile("x * sigmoid(beta * x)");
        var silu = Compile("sigmul(x, x)");
        var a = Forward(swish, Xs);
        var b = Forward(silu, Xs);
        for (int i = 0; i < Xs.Length; i++) Close(b[i], a[i], 1e-15, $"swish vs silu at {Xs[i]}");

        SetAllBetas(swish, 3.0);
        Assert.NotEqual(b[1], Forward(swish, Xs)[1]);
    }
}
