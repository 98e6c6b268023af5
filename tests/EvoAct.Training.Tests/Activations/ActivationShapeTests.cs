using EvoAct.Search.Expressions;
using EvoAct.Training.Activations;
using TorchSharp;
using static EvoAct.Training.Tests.Activations.ActivationTestKit;
using static TorchSharp.torch;

namespace EvoAct.Training.Tests.Activations;

/// <summary>
/// Shapes and channels: beta is per channel and broadcast over dim 1, for (N, C) and (N, C, H, W)
/// inputs; changing channel c of one beta changes channel c of the output and nothing else.
/// </summary>
public class ActivationShapeTests
{
    const int C = 4;

    public static IEnumerable<object[]> Cases()
    {
        string[] texts =
        [
            "scale(x)", "shift(x)", "beta(x)", "beta", "gaussdiff(x, sin(x))", "laplacediff(x, sin(x))",
            "mix(x, sin(x))", "x * sigmoid(beta * x)", "mix(scale(x), shift(sin(x))) + beta * x",
        ];
        long[][] shapes = [[3, C], [2, C, 3, 5]];
        foreach (var t in texts)
            foreach (var s in shapes)
                yield return [t, s];
    }

    static Tensor Input(long[] shape, int seed)
    {
        var g = new Generator((ulong)seed);
        return (rand(shape, dtype: float64, generator: g) * 4 - 2);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Changing_one_channel_of_one_beta_changes_only_that_channel(string text, long[] shape)
    {
        var expr = ExpressionParser.Parse(text);
        var module = Compile(expr, C);
        // Not 1: with mix's beta at 1, mix(a, b) ignores b and the betas inside b.
        SetAllBetas(module, 0.7);
        using var x = Input(shape, 7);
        using var _ = no_grad();
        // Cloned: for "beta" the output is a view of the parameter itself.
        using var baseline = module.forward(x).clone();
        Assert.Equal(shape, baseline.shape);

        for (int k = 0; k < module.Betas.Count; k++)
            for (int c = 0; c < C; c++)
            {
                SetBeta(module, k, c, 1.8);
                using var changed = module.forward(x);
                for (int other = 0; other < C; other++)
                {
                    using var before = baseline.select(1, other);
                    using var after = changed.select(1, other);
                    double diff = (after - before).abs().max().item<double>();
                    if (other == c) Assert.True(diff > 1e-6, $"{text}: beta {k} channel {c} changed nothing in channel {c}");
                    else Assert.True(diff == 0, $"{text}: beta {k} channel {c} changed channel {other} by {diff}");
                }

                // With a single beta, the changed channel is exactly the function at beta = 1.8.
                if (module.Betas.Count == 1)
                {
                    var xs = x.select(1, c).flatten().data<double>().ToArray();
                    var ys = changed.select(1, c).flatten().data<double>().ToArray();
                    for (int i = 0; i < xs.Length; i++)
                        Close(ExpressionEvaluator.Value(expr, xs[i], 1.8), ys[i], 1e-12, $"{text} channel {c} at {xs[i]}");
                }
                SetBeta(module, k, c, 0.7);
            }
    }

    [Fact]
    public void Beta_alone_outputs_the_channel_value_in_every_position()
    {
        var module = Compile("beta", C);
        for (int c = 0; c < C; c++) SetBeta(module, 0, c, 10 + c);
        using var _ = no_grad();
        foreach (var shape in new long[][] { [3, C], [2, C, 3, 5] })
        {
            using var x = Input(shape, 3);
            using var y = module.forward(x);
            Assert.Equal(shape, y.shape);
            for (int c = 0; c < C; c++)
                Assert.All(y.select(1, c).flatten().data<double>().ToArray(), v => Assert.Equal(10 + c, v));
        }
    }

    [Theory]
    [InlineData("x * sigmoid(beta * x)")]
    [InlineData("max(x, sigmoid(x))")]
    [InlineData("sinc(x) + x")]
    [InlineData("2.5")]
    [InlineData("beta")]
    [InlineData("mix(scale(x), shift(x))")]
    public void Output_shape_is_the_input_shape(string text)
    {
        var module = Compile(text, C);
        using var _ = no_grad();
        foreach (var shape in new long[][] { [1, C], [5, C], [2, C, 1, 1], [2, C, 4, 3] })
        {
            using var x = Input(shape, 1);
            using var y = module.forward(x);
            Assert.Equal(shape, y.shape);
        }
    }

    [Fact]
    public void Float32_module_on_float32_input_stays_float32_and_agrees_with_float64()
    {
        foreach (var text in new[] { "x * sigmoid(beta * x)", "sinc(x) + x", "logabs(x) / (x + 2)", "mix(x, softplus(x))" })
        {
            var expr = ExpressionParser.Parse(text);
            using var module32 = new ActivationModule(expr, C);
            var module64 = Compile(expr, C);
            using var _ = no_grad();
            using var x64 = Input([6, C, 2, 2], 11);
            using var x32 = x64.to_type(ScalarType.Float32);
            using var y32 = module32.forward(x32);
            using var y64 = module64.forward(x64);
            Assert.Equal(ScalarType.Float32, y32.dtype);
            var a = y32.to_type(ScalarType.Float64).flatten().data<double>().ToArray();
            var b = y64.flatten().data<double>().ToArray();
            for (int i = 0; i < a.Length; i++) Close(b[i], a[i], 1e-5, $"{text} float32 vs float64");
        }
    }

    [Fact]
    public void Channels_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ActivationModule(Expr.X, 0));
    }
}

public class ActivationPeepholeTests
{
    [Theory]
    [InlineData("x * sigmoid(x)")]
    [InlineData("sigmul(x, x)")]
    public void Silu_forms_match_the_composed_values_and_gradients(string text)
    {
        using var x = TorchSharp.torch.linspace(-6, 6, 97, dtype: TorchSharp.torch.ScalarType.Float64).view(1, 97).requires_grad_(true);
        using var fused = new EvoAct.Training.Activations.ActivationModule(EvoAct.Search.Expressions.ExpressionParser.Parse(text), 97);
        // "x * sigmoid(x) + 0" is not rewritten: the composed path, as reference.
        using var composed = new EvoAct.Training.Activations.ActivationModule(EvoAct.Search.Expressions.ExpressionParser.Parse(text + " + 0"), 97);
        var a = fused.call(x);
        a.sum().backward();
        var ga = x.grad!.clone();
        x.grad!.zero_();
        var b = composed.call(x);
        b.sum().backward();
        Assert.True(a.allclose(b, 1e-12, 1e-12));
        Assert.True(ga.allclose(x.grad!, 1e-12, 1e-12));
    }
}
