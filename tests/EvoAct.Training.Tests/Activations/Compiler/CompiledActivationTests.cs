using EvoAct.Search;
using EvoAct.Search.Expressions;
using EvoAct.Search.Fingerprints;
using EvoAct.Training.Activations;
using EvoAct.Training.Activations.Compiler;
using TorchSharp;
using static TorchSharp.torch;

namespace EvoAct.Training.Tests.Activations.Compiler;

/// <summary>
/// The compiled path against the composed ops (its reference) and finite differences, in float64:
/// values, d/dx and every d/dbeta, for every op of the grammar, the paper's activations and 300
/// random genomes of the paper's space, on (N, C), NCHW and channels-last inputs, with distinct
/// betas per channel and per use, and a random incoming gradient.
/// </summary>
public class CompiledActivationTests
{
    internal sealed record Result(Tensor Y, Tensor? Gx, Tensor?[] Gb);

    internal static ActivationModule Module(Expr e, int channels, bool fuse, ScalarType dtype = ScalarType.Float64, int seed = 3)
    {
        var m = new ActivationModule(e, channels, fuse);
        m.to(dtype);
        using var _ = no_grad();
        var rng = new Random(seed);
        // Betas near 1 (their initial value), both signs, one per channel and per use.
        foreach (var b in m.Betas)
            for (int c = 0; c < channels; c++) b[c].fill_(rng.NextDouble() < 0.2 ? -0.6 - rng.NextDouble() : 0.4 + 1.2 * rng.NextDouble());
        return m;
    }

    /// <summary>y, and the gradients of sum(y * w) w.r.t. x and each beta (null where autograd leaves none).</summary>
    internal static Result Run(ActivationModule m, Tensor x0, Tensor w)
    {
        var x = x0.detach().clone().requires_grad_(true);
        var y = m.call(x);
        Tensor?[] gb;
        if (y.requires_grad)
        {
            (y * w).sum().backward();
            gb = m.Betas.Select(b => b.grad?.clone()).ToArray();
        }
        else gb = new Tensor?[m.Betas.Count];
        foreach (var b in m.Betas) b.grad = null;
        return new(y.detach(), x.grad?.clone(), gb);
    }

    internal static void AssertSame(Result expected, Result actual, double tol, string what)
    {
        AssertClose(expected.Y, actual.Y, tol, what + " value");
        Assert.Equal(expected.Gx is null, actual.Gx is null);
        if (expected.Gx is not null) AssertClose(expected.Gx, actual.Gx!, tol, what + " d/dx");
        for (int k = 0; k < expected.Gb.Length; k++)
        {
            Assert.True((expected.Gb[k] is null) == (actual.Gb[k] is null), $"{what}: d/dbeta[{k}] defined on one path only");
            if (expected.Gb[k] is { } e) AssertClose(e, actual.Gb[k]!, tol * 10, $"{what} d/dbeta[{k}]");
        }
    }

    static void AssertClose(Tensor expected, Tensor actual, double tol, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        var e = expected.to(float64).contiguous().data<double>().ToArray();
        var a = actual.to(float64).contiguous().data<double>().ToArray();
        for (int i = 0; i < e.Length; i++) ActivationTestKit.Close(e[i], a[i], tol, () => $"{what}[{i}]");
    }

    internal static (Tensor X, Tensor W) Inputs(long[] shape, int seed, double scale = 2.5)
    {
        var gen = new Generator((ulong)seed);
        return (randn(shape, dtype: float64, generator: gen) * scale, randn(shape, dtype: float64, generator: gen));
    }

    /// <summary>Every op of the grammar by itself and in a composition that reaches its other branch.</summary>
    public static IEnumerable<object[]> EveryOp() =>
        OpCatalogue.Unary.Select(c => c.Expression)
            .Concat(OpCatalogue.Binary.Select(c => c.Expression))
            .Concat([
                "sqrt(x)", "logabs(x)", "sinc(x)", "div(x, x)", "x ^ 2", "atan(x) ^ 2", "x ^ 3", "x ^ 0.5", "x ^ -1", "x ^ 1.7",
                "abs(x) ^ sin(x)", "exp(x) ^ (beta * x)", "2 ^ x", "max(abs(x), relu(x))", "min(x, x)", "max(sin(x), sin(x))",
                "x * sin(x) + sin(x)", "beta(sin(beta * x)) * x", "mix(beta * x, sin(x))", "gauss(x) - gaussdiff(x, beta)",
            ]).Distinct().Select(s => new object[] { s });

    public static IEnumerable<object[]> Layouts() => new[]
    {
        new object[] { "nchw" }, new object[] { "nc" }, new object[] { "channels-last" },
    };

    static Tensor Layout(Tensor x, string layout) => layout switch
    {
        "nc" => x.reshape(x.shape[0] * x.shape[2], x.shape[1] * x.shape[3]),
        "channels-last" => EvoAct.Training.Models.MemoryFormat.ToChannelsLast(x),
        _ => x,
    };

    [Theory]
    [MemberData(nameof(EveryOp))]
    public void Every_op_matches_the_composed_ops(string text)
    {
        var e = ExpressionParser.Parse(text);
        if (!ActivationProgram.Compile(e).UsesX)
        {
            // beta(x): nothing to compile, it has no gradient w.r.t. x.
            using var m = new ActivationModule(e, 2);
            Assert.Equal(ActivationPath.Composed, m.Path);
            return;
        }
        foreach (var layout in new[] { "nchw", "nc", "channels-last" })
        {
            using var scope = NewDisposeScope();
            var (x4, w4) = Inputs([3, 5, 4, 6], text.Length);
            var x = Layout(x4, layout);
            var w = Layout(w4, layout);
            int channels = (int)x.shape[1];
            using var compiled = Module(e, channels, fuse: true);
            using var composed = Module(e, channels, fuse: false);
            Assert.Equal(ActivationPath.Compiled, compiled.Path);
            Assert.Equal(ActivationPath.Composed, composed.Path);
            var a = Run(compiled, x, w);
            Assert.True(compiled.Compiled!.Stats.ForwardCalls == 1 && compiled.Compiled.Stats.BackwardCalls == 1, $"{text}: the compiled path did not run");
            // Training stored the derivatives with the values; without grad the forward computes values
            // alone, and the same ones bit for bit.
            Assert.Equal(1, compiled.Compiled.Stats.TrainingForwardCalls);
            using (no_grad())
            {
                var y = compiled.call(x);
                Assert.True(y.contiguous().data<double>().ToArray().SequenceEqual(a.Y.contiguous().data<double>().ToArray()), $"{text} ({layout}): evaluation values differ from training's");
            }
            Assert.Equal((2L, 1L), (compiled.Compiled.Stats.ForwardCalls, compiled.Compiled.Stats.TrainingForwardCalls));
            AssertSame(Run(composed, x, w), a, 1e-12, $"{text} ({layout})");
            if (layout == "channels-last") Assert.True(EvoAct.Training.Models.MemoryFormat.IsChannelsLast(a.Y));
        }
    }

    [Theory]
    [InlineData("sin(", ")", 999)]
    [InlineData("-(", ")", 999)]
    [InlineData("tanh(x) + (", ")", 998)]
    public void Expressions_at_the_parsers_depth_bound_compile_and_match_the_composed_ops(string open, string close, int n)
    {
        // The parser's bound is what keeps every later stage (program, kernels, autograd) from a stack overflow: hold it to that.
        var e = ExpressionParser.Parse(string.Concat(Enumerable.Repeat(open, n)) + "x" + string.Concat(Enumerable.Repeat(close, n)));
        using var scope = NewDisposeScope();
        var (x, w) = Inputs([2, 3, 2, 2], n);
        using var compiled = Module(e, 3, fuse: true);
        using var composed = Module(e, 3, fuse: false);
        Assert.Equal(ActivationPath.Compiled, compiled.Path);
        AssertSame(Run(composed, x, w), Run(compiled, x, w), 1e-10, $"{open}... {n} deep");
    }

    [Theory]
    [MemberData(nameof(EveryOp))]
    public void Gradients_match_finite_differences(string text)
    {
        using var scope = NewDisposeScope();
        var e = ExpressionParser.Parse(text);
        // Points away from kinks and ties: finite differences are meaningless across them.
        var (x, w) = Inputs([2, 3, 2, 5], 7, scale: 1.3);
        x = x.abs() + 0.05;
        using var m = Module(e, 3, fuse: true);
        var r = Run(m, x, w);
        const double h = 1e-6;
        double F(Tensor input)
        {
            using var _ = no_grad();
            return (m.call(input) * w).sum().item<double>();
        }
        if (r.Gx is not null)
        {
            var plus = F(x + h * w.sign());
            var minus = F(x - h * w.sign());
            // Directional derivative along sign(w): sum(gx * sign(w)).
            double fd = (plus - minus) / (2 * h), ad = (r.Gx * w.sign()).sum().item<double>();
            if (double.IsFinite(fd)) ActivationTestKit.Close(fd, ad, 1e-5, $"{text} d/dx");
        }
        for (int k = 0; k < m.Betas.Count; k++)
        {
            if (r.Gb[k] is not { } gb) continue;
            var beta = m.Betas[k];
            using var saved = beta.detach().clone();
            for (int c = 0; c < 3; c++)
            {
                double Shifted(double d)
                {
                    using var _ = no_grad();
                    beta.copy_(saved);
                    beta[c].add_(d);
                    return F(x);
                }
                double fd = (Shifted(h) - Shifted(-h)) / (2 * h);
                using (no_grad()) beta.copy_(saved);
                if (double.IsFinite(fd)) ActivationTestKit.Close(fd, gb[c].item<double>(), 1e-5, $"{text} d/dbeta[{k}][{c}]");
            }
        }
    }

    [Fact]
    public void Random_genomes_of_the_paper_space_match_the_composed_ops()
    {
        var rng = new Rng(20261201);
        int checkedGenomes = 0;
        for (int i = 0; i < 320; i++)
        {
            using var scope = NewDisposeScope();
            var e = SearchSpace.Paper.Random(rng).ToExpr();
            var shape = i % 3 == 0 ? new long[] { 5, 3 } : new long[] { 2, 3, 3, 5 };
            var (x, w) = Inputs(shape, i);
            if (i % 3 == 2) { x = EvoAct.Training.Models.MemoryFormat.ToChannelsLast(x); w = EvoAct.Training.Models.MemoryFormat.ToChannelsLast(w); }
            using var compiled = Module(e, 3, fuse: true, seed: i);
            using var composed = Module(e, 3, fuse: false, seed: i);
            if (compiled.Path != ActivationPath.Compiled) continue;   // beta(...) only: no dependence on x
            AssertSame(Run(composed, x, w), Run(compiled, x, w), 1e-10, $"genome {i}: {e}");
            checkedGenomes++;
        }
        Assert.True(checkedGenomes >= 300, $"only {checkedGenomes} genomes compiled");
    }

    [Fact]
    public void The_paper_activations_match_the_composed_ops()
    {
        foreach (var text in new[] { "x * sigmoid(beta * x)", "max(x, sigmoid(x))", "cos(x) - x", "x * asinh(x)^2", "atan(x)^2 - x",
                                     "sinc(x) + x", "min(x, sin(x))", "max(x, tanh(x))", "x * sigmoid(x)" })
        {
            using var scope = NewDisposeScope();
            var e = ExpressionParser.Parse(text);
            var (x, w) = Inputs([4, 6, 5, 5], 11);
            using var composed = Module(e, 6, fuse: false);
            using var fast = Module(e, 6, fuse: true);
            Assert.NotEqual(ActivationPath.Composed, fast.Path);
            AssertSame(Run(composed, x, w), Run(fast, x, w), 1e-12, text);
        }
    }

    [Theory]
    // sinc(0) = 1 and its slope 0; div adds its eps (x / (0 + eps)); sqrt and log of negatives are NaN;
    // exp and cosh overflow to inf; softplus is x for large x and tiny for very negative x.
    [InlineData("sinc(x)", new[] { 0.0, -0.0, 1e-30, 3.0 })]
    [InlineData("div(x, x - x)", new[] { 0.0, 1.0, -2.0 })]
    [InlineData("sqrt(x)", new[] { -1.0, -0.0, 0.0, 4.0 })]
    [InlineData("logabs(x)", new[] { 0.0, -1e-30, 1e30 })]
    [InlineData("sqrt(x) - logabs(sqrt(x + 0))", new[] { -2.0, 0.0, 2.0 })]
    [InlineData("exp(x)", new[] { 88.0, 88.72, 88.73, 100.0, -200.0 })]
    [InlineData("cosh(x) + sinh(x)", new[] { 89.0, 89.41, 89.42, -89.42, 200.0 })]
    [InlineData("softplus(x)", new[] { -200.0, -30.0, 19.9, 20.1, 1e30 })]
    [InlineData("max(sqrt(x), x)", new[] { -1.0, 2.0 })]
    [InlineData("relu(sqrt(x)) + min0(sqrt(x)) + abs(sqrt(x))", new[] { -1.0, 2.0 })]
    public void Edge_cases_behave_as_on_the_composed_path(string text, double[] points)
    {
        var e = ExpressionParser.Parse(text);
        foreach (var dtype in new[] { ScalarType.Float64, ScalarType.Float32 })
        {
            using var scope = NewDisposeScope();
            var x = tensor(points, dtype: float64).reshape(points.Length, 1).to(dtype);
            var w = ones_like(x);
            using var compiled = Module(e, 1, fuse: true, dtype);
            using var composed = Module(e, 1, fuse: false, dtype);
            var a = Run(compiled, x, w);
            var b = Run(composed, x, w);
            // NaN and inf exactly where the composed path has them (finite values to float accuracy).
            double tol = dtype == ScalarType.Float32 ? 1e-5 : 1e-12;
            AssertSame(b, a, tol, $"{text} ({dtype})");
        }
    }

    [Fact]
    public void Sharing_a_subexpression_changes_only_gradients_that_are_not_finite_anyway()
    {
        // sqrt(x) is computed once: at x = 0 its local derivative is inf, and the composed path
        // multiplies it by each use's gradient separately (inf * 0 = NaN from the logabs branch, whose
        // abs has slope 0 there), while the shared register sums the uses first (inf * 1 = inf).
        // Anywhere else the two agree; at such a point both are non-finite and training diverges either way.
        using var scope = NewDisposeScope();
        var e = ExpressionParser.Parse("sqrt(x) - logabs(sqrt(x))");
        var x = tensor(new[] { 0.0, 2.0, 5.0 }, dtype: float64).reshape(3, 1);
        var w = ones_like(x);
        using var compiled = Module(e, 1, fuse: true);
        using var composed = Module(e, 1, fuse: false);
        var a = Run(compiled, x, w).Gx!.data<double>().ToArray();
        var b = Run(composed, x, w).Gx!.data<double>().ToArray();
        Assert.True(double.IsNaN(b[0]) && double.IsPositiveInfinity(a[0]));
        for (int i = 1; i < 3; i++) ActivationTestKit.Close(b[i], a[i], 1e-12, $"d/dx at {x[i, 0].item<double>()}");
    }

    [Fact]
    public void Betas_that_do_not_reach_the_output_get_no_gradient_as_on_the_composed_path()
    {
        using var scope = NewDisposeScope();
        // beta(sin(beta * x)): the inner beta is dropped, its gradient stays undefined on both paths.
        var e = ExpressionParser.Parse("beta(sin(beta * x)) * x");
        using var compiled = Module(e, 3, fuse: true);
        Assert.Equal([1], compiled.Compiled!.BetaInputs);
        var (x, w) = Inputs([2, 3, 4], 1);
        var r = Run(compiled, x, w);
        Assert.Null(r.Gb[0]);
        Assert.NotNull(r.Gb[1]);
    }

    [Fact]
    public void Expressions_without_x_stay_composed()
    {
        using var m = new ActivationModule(ExpressionParser.Parse("beta(x)"), 2);
        Assert.Equal(ActivationPath.Composed, m.Path);
        using var c = new ActivationModule(ExpressionParser.Parse("x * sigmoid(beta * x)"), 2, fuse: false);
        Assert.Equal(ActivationPath.Composed, c.Path);
    }

    [Fact]
    public void Empty_batches_give_empty_outputs_and_zero_beta_gradients()
    {
        using var scope = NewDisposeScope();
        using var m = Module(ExpressionParser.Parse("mix(x, sin(x))"), 3, fuse: true);
        var (x, w) = (zeros(0, 3, 4, 4, dtype: float64), zeros(0, 3, 4, 4, dtype: float64));
        var r = Run(m, x, w);
        Assert.Equal([0L, 3, 4, 4], r.Y.shape);
        Assert.Equal(0.0, r.Gb[0]!.abs().sum().item<double>());
    }

    [Fact]
    public void Identical_subexpressions_share_a_register_and_dead_code_is_dropped()
    {
        var p = ActivationProgram.Compile(ExpressionParser.Parse("max(sin(x), sin(x)) + beta(cos(beta * x))"));
        // sin once, max, one live beta, add; cos and its beta are gone.
        Assert.Equal([OpCode.Sin, OpCode.Max, OpCode.Beta, OpCode.Add], p.Instructions.Select(i => i.Op));
        Assert.Equal([1], p.BetaInputs);
        Assert.True(p.UsesX);
        Assert.False(ActivationProgram.Compile(ExpressionParser.Parse("beta(x) + 2")).UsesX);
    }

    [Fact]
    public void Random_filter_passing_genomes_compile_and_every_program_is_reused_from_a_bounded_cache()
    {
        var rng = new Rng(7);
        var filter = CandidateFilter.Default;
        int n = 0;
        while (n < 50)
        {
            var e = SearchSpace.Paper.Random(rng).ToExpr();
            if (filter.Check(e) is not null) continue;
            var a = CompiledActivation.Compile(e);
            var b = CompiledActivation.Compile(e);
            Assert.Same(a.Program, b.Program);
            Assert.NotSame(a.Stats, b.Stats);
            n++;
        }
    }
}
