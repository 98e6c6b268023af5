using EvoAct.Search.Expressions;
using EvoAct.Training.Activations;
using TorchSharp;
using static EvoAct.Training.Tests.Activations.ActivationTestKit;
using static TorchSharp.torch;

namespace EvoAct.Training.Tests.Activations;

/// <summary>
/// Autograd through the compiled module in float64: d/dx against central finite differences of the
/// module's own forward and against the reference evaluator; d/d(beta) per parameter and channel
/// against finite differences; the parameters themselves (count, shape, initial value, dtype).
/// </summary>
public class ActivationGradientTests
{
    const double FdTol = 1e-6, RefTol = 1e-10;

    public static IEnumerable<object[]> AllOpExpressions() =>
        OpCatalogue.Unary.Select(c => new object[] { c.Expression }).Concat(OpCatalogue.BinaryExpressions());

    static double[] PointsOf(string expression) =>
        OpCatalogue.Unary.FirstOrDefault(c => c.Expression == expression)?.Points ?? OpCatalogue.BinaryByExpression(expression).Points;

    [Theory]
    [MemberData(nameof(AllOpExpressions))]
    public void Input_gradient_matches_finite_differences_and_the_reference_evaluator(string expression)
    {
        var expr = ExpressionParser.Parse(expression);
        var module = Compile(expr);
        var xs = PointsOf(expression);
        foreach (var beta in new[] { 1.0, 0.65 })
        {
            SetAllBetas(module, beta);
            var grad = InputGradient(module, xs);
            var fd = FiniteDifference(module, xs);
            for (int i = 0; i < xs.Length; i++)
            {
                string at = $"d/dx {expression} at x = {xs[i]}, beta = {beta}";
                Close(fd[i], grad[i], FdTol, at + " (finite difference)");
                var reference = ExpressionEvaluator.Evaluate(expr, xs[i], beta);
                Close(reference.Derivative, grad[i], RefTol, at + " (evaluator)");
                Close(reference.Value, Forward(module, xs[i]), RefTol, $"{expression} at x = {xs[i]}, beta = {beta} (evaluator value)");
            }
        }
    }

    [Theory]
    [MemberData(nameof(OpCatalogue.UnaryNames), MemberType = typeof(OpCatalogue))]
    public void Unary_input_gradient_matches_the_closed_form_derivative(string op)
    {
        var c = OpCatalogue.UnaryByName(op);
        var module = Compile(c.Expression);
        SetAllBetas(module, 1.4);
        var grad = InputGradient(module, c.Points);
        for (int i = 0; i < c.Points.Length; i++)
            Close(c.Derivative(c.Points[i], 1.4), grad[i], 1e-12, $"d/dx {c.Expression} at {c.Points[i]}");
    }

    [Fact]
    public void Gradients_at_the_conventional_points_follow_pytorch_and_the_evaluator()
    {
        // Kinks and removable singularities: relu'(0) = |x|'(0) = 0, sinc'(0) = 0, ties split.
        var cases = new (string Text, double X, double Expected)[]
        {
            ("sinc(x)", 0.0, 0.0),
            ("relu(x)", 0.0, 0.0),
            ("min0(x)", 0.0, 0.0),
            ("abs(x)", 0.0, 0.0),
            ("logabs(x)", 0.0, 0.0),
            ("max(x, 0.5 * x)", 0.0, 0.75),
            ("min(x, sin(x))", 0.0, 1.0),
            ("laplacediff(x, 0.5 * x)", 0.0, 0.0),
        };
        foreach (var (text, x, expected) in cases)
        {
            var module = Compile(text);
            double grad = InputGradient(module, [x])[0];
            Assert.True(expected == grad, $"d/dx {text} at {x}: expected {expected}, got {grad}");
            Assert.Equal(ExpressionEvaluator.Evaluate(ExpressionParser.Parse(text), x).Derivative, grad);
        }
        // Near (not at) zero, sinc's gradient is -x/3 + x^3/30: no 0/0 blow-up. (torch's sinc
        // backward cancels there: in float64 it is good to about 1e-10 absolute.)
        var sinc = Compile("sinc(x)");
        double[] near = [1e-7, -1e-6, 1e-5, 1e-4, 1e-3];
        var g = InputGradient(sinc, near);
        for (int i = 0; i < near.Length; i++)
            Close(-near[i] / 3 + Math.Pow(near[i], 3) / 30, g[i], 1e-9, $"sinc'({near[i]})");
    }

    // ---- Betas ----

    public static IEnumerable<object[]> BetaExpressions() => new (string, int)[]
    {
        ("scale(x)", 1),
        ("shift(x)", 1),
        ("beta(x)", 1),
        ("beta", 1),
        ("gaussdiff(x, sin(x))", 1),
        ("laplacediff(x, sin(x))", 1),
        ("mix(x, sin(x))", 1),
        ("x * sigmoid(beta * x)", 1),
        ("beta * x + beta", 2),
        ("mix(scale(x), shift(sin(x))) + beta * x", 4),
        ("gaussdiff(scale(x), beta) * laplacediff(x, shift(x))", 5),
        ("(1 + x^2)^beta", 1),
        ("sigmul(scale(x), mix(beta, tanh(shift(x))))", 4),
    }.Select(p => new object[] { p.Item1, p.Item2 });

    [Theory]
    [MemberData(nameof(BetaExpressions))]
    public void There_is_one_beta_parameter_per_use_of_shape_C_initialised_to_one(string text, int uses)
    {
        const int channels = 3;
        var expr = ExpressionParser.Parse(text);
        Assert.Equal(uses, expr.BetaCount);
        using var module = new ActivationModule(expr, channels);
        Assert.Equal(uses, module.Betas.Count);
        var parameters = module.parameters().ToList();
        Assert.Equal(uses, parameters.Count);
        Assert.Equal(uses, module.named_parameters().Select(p => p.name).Distinct().Count());
        foreach (var p in module.Betas)
        {
            Assert.Equal(new long[] { channels }, p.shape);
            Assert.Equal(ScalarType.Float32, p.dtype);
            Assert.True(p.requires_grad);
            Assert.Equal(new float[] { 1, 1, 1 }, p.data<float>().ToArray());
        }
        // Separate tensors, not one shared parameter.
        for (int i = 0; i < uses; i++)
            for (int j = i + 1; j < uses; j++)
                Assert.NotEqual(module.Betas[i].Handle, module.Betas[j].Handle);
    }

    [Fact]
    public void Expressions_without_beta_have_no_parameters()
    {
        foreach (var text in new[] { "x", "max(x, sigmoid(x))", "cos(x) - x", "x * asinh(x)^2", "sinc(x) + x" })
        {
            using var module = new ActivationModule(ExpressionParser.Parse(text), 8);
            Assert.Empty(module.Betas);
            Assert.Empty(module.parameters());
        }
    }

    [Fact]
    public void Converting_to_float64_converts_the_betas_the_forward_uses()
    {
        var module = Compile("mix(scale(x), shift(x))", channels: 2);
        Assert.Equal(3, module.Betas.Count);
        SetAllBetas(module, 0.5); // at mix's beta = 1 the shift would get no gradient
        Assert.All(module.Betas, p => Assert.Equal(ScalarType.Float64, p.dtype));
        Assert.All(module.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));

        // The parameters an optimizer sees are the ones that receive the gradient.
        using var x = tensor(new[] { 0.3, -0.7, 1.1, 2.0 }, dtype: float64).reshape(2, 2);
        module.forward(x).sum().backward();
        foreach (var p in module.parameters())
        {
            Assert.NotNull(p.grad);
            Assert.True(p.grad!.abs().sum().item<double>() > 0, "a beta got no gradient");
        }
        Assert.Equal(module.parameters().Select(p => p.Handle), module.Betas.Select(p => p.Handle));
    }

    [Theory]
    [MemberData(nameof(BetaExpressions))]
    public void Beta_gradient_per_channel_matches_finite_differences(string text, int uses)
    {
        const int n = 5, channels = 3;
        const double h = 1e-6;
        var module = Compile(text, channels);
        Assert.Equal(uses, module.Betas.Count);

        // Distinct beta values per parameter and channel, so a mix-up of either would show.
        var rng = new Random(1234);
        for (int k = 0; k < uses; k++)
            for (int c = 0; c < channels; c++)
                SetBeta(module, k, c, 0.6 + 0.8 * rng.NextDouble());

        var xs = Enumerable.Range(0, n * channels).Select(_ => -2 + 4 * rng.NextDouble()).ToArray();
        var ws = Enumerable.Range(0, n * channels).Select(_ => -1 + 2 * rng.NextDouble()).ToArray();
        using var x = tensor(xs, dtype: float64).reshape(n, channels);
        using var w = tensor(ws, dtype: float64).reshape(n, channels);

        double Loss()
        {
            using var _ = no_grad();
            using var y = module.forward(x);
            return (y * w).sum().item<double>();
        }

        ZeroBetaGrads(module);
        using (var y = module.forward(x)) (y * w).sum().backward();
        var grads = module.Betas.Select(p => p.grad!.data<double>().ToArray()).ToArray();

        for (int k = 0; k < uses; k++)
            for (int c = 0; c < channels; c++)
            {
                double b0 = GetBeta(module, k, c);
                SetBeta(module, k, c, b0 + h);
                double plus = Loss();
                SetBeta(module, k, c, b0 - h);
                double minus = Loss();
                SetBeta(module, k, c, b0);
                double fd = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(fd) > 1e-6, $"{text}: beta {k} channel {c} has no effect (fd = {fd})");
                Close(fd, grads[k][c], FdTol, $"d/d beta[{k}][{c}] of {text}");
            }
    }

    [Fact]
    public void Betas_are_numbered_in_evaluation_order()
    {
        // scale, shift, mix, then the bare beta: post-order, left to right.
        var module = Compile("mix(scale(x), shift(sin(x))) + beta * x");
        double[] values = [0.5, 2.0, 0.3, 1.7];
        for (int k = 0; k < values.Length; k++) SetBeta(module, k, 0, values[k]);
        var ys = Forward(module, OpCatalogue.Points);
        for (int i = 0; i < ys.Length; i++)
        {
            double x = OpCatalogue.Points[i];
            Close(0.3 * (0.5 * x) + 0.7 * (Math.Sin(x) + 2.0) + 1.7 * x, ys[i], 1e-12, $"at {x}");
        }
    }
}
