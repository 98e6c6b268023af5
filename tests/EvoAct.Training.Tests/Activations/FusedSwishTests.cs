using System.Runtime.Intrinsics;
using EvoAct.Search.Expressions;
using EvoAct.Training.Activations;
using TorchSharp;
using static TorchSharp.torch;

namespace EvoAct.Training.Tests.Activations;

/// <summary>
/// The fused x * sigmoid(beta * x) (FusedSwish) against the composed ops and finite differences, in
/// float64: values, d/dx and d/dbeta, on (N, C, H, W) and (N, C), with positive, negative and zero
/// betas, for every spelling the module recognises.
/// </summary>
/// <remarks>
/// In <see cref="TorchThreadsCollection"/>, with several threads: the shapes big enough to be split
/// and the determinism check across thread counts mean nothing on one thread, and the "fused path
/// ran" counters are process-wide, so no other test may add to them meanwhile.
/// </remarks>
[Collection(TorchThreadsCollection.Name)]
public sealed class FusedSwishTests : IDisposable
{
    readonly TorchThreads threads = TorchThreads.Several();

    public void Dispose() => threads.Dispose();

    public static IEnumerable<object[]> Spellings() => new[]
    {
        "x * sigmoid(beta * x)", "x * sigmoid(x * beta)", "sigmoid(beta * x) * x", "sigmoid(x * beta) * x",
        "x * sigmoid(scale(x))", "sigmoid(scale(x)) * x", "sigmul(beta * x, x)", "sigmul(x * beta, x)", "sigmul(scale(x), x)",
    }.Select(s => new object[] { s });

    // Channel betas: positive, negative, zero (y = x / 2 exactly), large, tiny.
    static readonly double[] BetaValues = [1.3, -0.7, 0.0, 4.5, 1e-9, -2.25, 1.0];

    static ActivationModule Module(string text, int channels, bool fuse)
    {
        var m = new ActivationModule(ExpressionParser.Parse(text), channels, fuse);
        m.to(ScalarType.Float64);
        using var _ = no_grad();
        for (int c = 0; c < channels; c++) m.Betas[0][c].fill_(BetaValues[c % BetaValues.Length]);
        return m;
    }

    /// <summary>y, d/dx and d/dbeta of sum(y * w) for a fixed random w (so the incoming gradient is not all ones).</summary>
    static (Tensor Y, Tensor Gx, Tensor Gb) Run(ActivationModule m, Tensor x0, Tensor w)
    {
        var x = x0.detach().clone().requires_grad_(true);
        var y = m.call(x);
        (y * w).sum().backward();
        var gb = m.Betas[0].grad!.clone();
        m.Betas[0].grad!.zero_();
        return (y.detach(), x.grad!.clone(), gb);
    }

    static void AssertClose(Tensor expected, Tensor actual, double tol, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        var e = expected.data<double>().ToArray();
        var a = actual.data<double>().ToArray();
        for (int i = 0; i < e.Length; i++) ActivationTestKit.Close(e[i], a[i], tol, () => $"{what}[{i}]");
    }

    public static IEnumerable<object[]> Shapes() => new[]
    {
        new object[] { new long[] { 3, 7, 5, 7 } },     // inner 35: vector body and a scalar tail
        new object[] { new long[] { 6, 7 } },           // (N, C): one value per plane
        new object[] { new long[] { 8, 14, 24, 24 } },  // big enough to be split over threads
    };

    [Theory]
    [MemberData(nameof(Spellings))]
    public void Every_spelling_takes_the_fused_path(string text)
    {
        using var m = new ActivationModule(ExpressionParser.Parse(text), 4);
        Assert.Equal(ActivationPath.Swish, m.Path);
        using var composed = new ActivationModule(ExpressionParser.Parse(text), 4, fuse: false);
        Assert.Equal(ActivationPath.Composed, composed.Path);
    }

    [Theory]
    [InlineData("x * sigmoid(x)", ActivationPath.Silu)]
    [InlineData("sigmoid(x) * x", ActivationPath.Silu)]
    [InlineData("sigmul(x, x)", ActivationPath.Silu)]
    [InlineData("x * sigmoid(beta * x) + 0", ActivationPath.Composed)]
    [InlineData("x * sigmoid(beta * beta * x)", ActivationPath.Composed)]
    [InlineData("sigmul(x, beta * x)", ActivationPath.Composed)]   // sigmoid(x) * beta * x: another function
    [InlineData("x * sigmoid(beta * (x + 0))", ActivationPath.Composed)]
    [InlineData("x * sigmoid(2 * x)", ActivationPath.Composed)]
    public void Other_shapes_are_not_fused_as_swish(string text, ActivationPath path)
    {
        using var m = new ActivationModule(ExpressionParser.Parse(text), 3);
        Assert.Equal(path, m.Path);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Values_and_gradients_match_the_composed_ops(long[] shape)
    {
        foreach (var text in Spellings().Select(o => (string)o[0]))
        {
            using var scope = NewDisposeScope();
            int channels = (int)shape[1];
            var gen = new Generator(17);
            var x = randn(shape, dtype: float64, generator: gen) * 3;
            var w = randn(shape, dtype: float64, generator: gen);
            using var fused = Module(text, channels, fuse: true);
            using var composed = Module(text, channels, fuse: false);
            long fwd = FusedSwish.ForwardCalls, bwd = FusedSwish.BackwardCalls;
            var a = Run(fused, x, w);
            // The fused kernels ran, once each way (no other test runs meanwhile: see the class's remarks).
            Assert.True((fwd + 1, bwd + 1) == (FusedSwish.ForwardCalls, FusedSwish.BackwardCalls), $"{text}: the fused path was not taken once each way");
            var b = Run(composed, x, w);
            string at = $"{text} on [{string.Join(", ", shape)}]";
            AssertClose(b.Y, a.Y, 1e-14, at + " value");
            AssertClose(b.Gx, a.Gx, 1e-13, at + " d/dx");
            AssertClose(b.Gb, a.Gb, 1e-12, at + " d/dbeta");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Gradients_match_finite_differences(long[] shape)
    {
        using var scope = NewDisposeScope();
        int channels = (int)shape[1];
        var gen = new Generator(5);
        var x = randn(shape, dtype: float64, generator: gen) * 2;
        var w = randn(shape, dtype: float64, generator: gen);
        using var m = Module("x * sigmoid(beta * x)", channels, fuse: true);
        var (_, gx, gb) = Run(m, x, w);
        const double h = 1e-6;

        double Loss(Tensor input)
        {
            using var _ = no_grad();
            using var y = m.call(input);
            return (y * w).sum().item<double>();
        }

        // d/dx at a handful of positions (elementwise op: d loss / d x_i = w_i * f'(x_i)).
        var flat = x.flatten();
        foreach (long i in new long[] { 0, 1, flat.numel() / 2, flat.numel() - 1 })
        {
            var plus = x.clone(); plus.view(-1)[i].add_(h);
            var minus = x.clone(); minus.view(-1)[i].add_(-h);
            double fd = (Loss(plus) - Loss(minus)) / (2 * h);
            ActivationTestKit.Close(fd, gx.view(-1)[i].item<double>(), 1e-6, $"d/dx[{i}]");
        }
        // d/dbeta for every channel.
        for (int c = 0; c < channels; c++)
        {
            double b0 = m.Betas[0][c].item<double>();
            double At(double b)
            {
                using (no_grad()) m.Betas[0][c].fill_(b);
                return Loss(x);
            }
            double fd = (At(b0 + h) - At(b0 - h)) / (2 * h);
            At(b0);
            ActivationTestKit.Close(fd, gb[c].item<double>(), 1e-6 * Math.Max(1, x.numel() / channels / 100.0), $"d/dbeta[{c}] (beta = {b0})");
        }
    }

    [Theory]
    [InlineData(3, 7, 5, 7)]       // C = 7: scalar tails in every row
    [InlineData(4, 16, 6, 6)]      // whole vectors
    [InlineData(8, 40, 16, 16)]    // big enough to be split over threads; 40 = 5 vectors
    public void Channels_last_inputs_match_the_composed_ops_and_keep_their_layout(int n, int c, int h, int w)
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(23);
        var x = EvoAct.Training.Models.MemoryFormat.ToChannelsLast(randn([n, c, h, w], dtype: float64, generator: gen) * 3);
        Assert.True(EvoAct.Training.Models.MemoryFormat.IsChannelsLast(x) && !x.is_contiguous());
        var wgt = randn([n, c, h, w], dtype: float64, generator: gen);
        using var fused = Module("x * sigmoid(beta * x)", c, fuse: true);
        using var composed = Module("x * sigmoid(beta * x)", c, fuse: false);
        long fwd = FusedSwish.ForwardCalls;
        var a = Run(fused, x, wgt);
        Assert.Equal(fwd + 1, FusedSwish.ForwardCalls);
        Assert.True(EvoAct.Training.Models.MemoryFormat.IsChannelsLast(a.Y), "the output keeps the channels-last layout");
        var b = Run(composed, x, wgt);
        AssertClose(b.Y, a.Y, 1e-14, "value");
        AssertClose(b.Gx, a.Gx, 1e-13, "d/dx");
        AssertClose(b.Gb, a.Gb, 1e-12, "d/dbeta");
    }

    [Fact]
    public void Channels_last_float32_is_deterministic_and_matches_contiguous()
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(29);
        var x = randn([16, 32, 16, 16], generator: gen);
        var w = randn([16, 32, 16, 16], generator: gen);
        Tensor[] Go(Tensor input)
        {
            using var m = new ActivationModule(ExpressionParser.Parse("x * sigmoid(beta * x)"), 32);
            using (no_grad()) m.Betas[0].copy_(linspace(-1, 3, 32));
            var xi = input.detach().clone().requires_grad_(true);
            var y = m.call(xi);
            (y * w).sum().backward();
            return [y.detach().contiguous(), xi.grad!.contiguous(), m.Betas[0].grad!.clone()];
        }
        var cl = EvoAct.Training.Models.MemoryFormat.ToChannelsLast(x);
        var first = Go(cl);
        var again = Go(cl);
        for (int k = 0; k < 3; k++) Assert.True(first[k].eq(again[k]).all().item<bool>(), $"output {k} differs between runs");
        var contiguous = Go(x);
        // Elementwise results are identical; d/dbeta is summed in another order.
        Assert.True(first[0].eq(contiguous[0]).all().item<bool>(), "y");
        Assert.True(first[1].eq(contiguous[1]).all().item<bool>(), "d/dx");
        Assert.True(first[2].allclose(contiguous[2], 1e-5, 1e-4), "d/dbeta");
    }

    [Fact]
    public void Zero_beta_is_x_over_two_with_exact_gradients()
    {
        using var scope = NewDisposeScope();
        using var m = Module("x * sigmoid(beta * x)", 2, fuse: true);
        using (no_grad()) m.Betas[0].fill_(0);
        var x = tensor(new double[] { -3, -1, 0, 0.5, 2, 7 }, dtype: float64).view(3, 2);
        var w = ones_like(x);
        var (y, gx, gb) = Run(m, x, w);
        AssertClose(x / 2, y, 0, "y");
        AssertClose(full_like(x, 0.5), gx, 0, "d/dx");
        // d/dbeta at 0 = sum x^2 / 4 per channel.
        AssertClose((x * x / 4).sum(dim: 0), gb, 1e-15, "d/dbeta");
    }

    [Fact]
    public void Saturated_inputs_stay_finite()
    {
        using var scope = NewDisposeScope();
        using var m = Module("x * sigmoid(beta * x)", 2, fuse: true);
        using (no_grad()) m.Betas[0].copy_(tensor(new double[] { 50, -50 }, dtype: float64));
        var x = tensor(new double[] { -1e4, -1e4, -800, 800, 1e4, 1e4 }, dtype: float64).view(3, 2);
        var w = ones_like(x);
        var a = Run(m, x, w);
        using var composed = Module("x * sigmoid(beta * x)", 2, fuse: false);
        using (no_grad()) composed.Betas[0].copy_(m.Betas[0]);
        var b = Run(composed, x, w);
        AssertClose(b.Y, a.Y, 0, "y");
        AssertClose(b.Gx, a.Gx, 0, "d/dx");
        AssertClose(b.Gb, a.Gb, 0, "d/dbeta");
    }

    [Fact]
    public void Float32_matches_the_composed_ops()
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(3);
        var x = randn([16, 16, 16, 16], generator: gen) * 3;
        var w = randn([16, 16, 16, 16], generator: gen);
        Tensor[] Go(bool fuse)
        {
            using var m = new ActivationModule(ExpressionParser.Parse("x * sigmoid(beta * x)"), 16, fuse);
            using (no_grad()) m.Betas[0].copy_(linspace(-2, 2, 16));
            var xi = x.clone().requires_grad_(true);
            var y = m.call(xi);
            (y * w).sum().backward();
            return [y.detach(), xi.grad!.clone(), m.Betas[0].grad!.clone()];
        }
        var a = Go(true);
        var b = Go(false);
        Assert.True(a[0].allclose(b[0], 1e-5, 1e-6), "y");
        Assert.True(a[1].allclose(b[1], 1e-5, 1e-6), "d/dx");
        Assert.True(a[2].allclose(b[2], 1e-4, 1e-3), "d/dbeta");
    }

    [Fact]
    public void Results_are_deterministic_across_runs()
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(11);
        var x = randn([16, 32, 32, 32], generator: gen);
        var w = randn([16, 32, 32, 32], generator: gen);
        Tensor[] Go()
        {
            using var m = new ActivationModule(ExpressionParser.Parse("x * sigmoid(beta * x)"), 32);
            using (no_grad()) m.Betas[0].copy_(linspace(-1, 3, 32));
            var xi = x.clone().requires_grad_(true);
            var y = m.call(xi);
            (y * w).sum().backward();
            return [y.detach(), xi.grad!.clone(), m.Betas[0].grad!.clone()];
        }
        var first = Go();
        for (int run = 0; run < 3; run++)
        {
            var again = Go();
            for (int k = 0; k < 3; k++) Assert.True(first[k].eq(again[k]).all().item<bool>(), $"run {run}, output {k} differs");
        }
        // The thread count does not change the result either (only results, never speed, depend on MaxThreads).
        Assert.True(get_num_threads() >= 2, "the runs above must have had several threads to split over");
        try
        {
            FusedSwish.MaxThreads = 1;
            var single = Go();
            for (int k = 0; k < 3; k++) Assert.True(first[k].eq(single[k]).all().item<bool>(), $"one thread: output {k} differs");
        }
        finally { FusedSwish.MaxThreads = 0; }
    }

    [Fact]
    public void No_grad_forward_and_non_contiguous_inputs_work()
    {
        using var scope = NewDisposeScope();
        using var m = Module("x * sigmoid(beta * x)", 3, fuse: true);
        using var composed = Module("x * sigmoid(beta * x)", 3, fuse: false);
        // A channels-last view: non-contiguous (N, C, H, W).
        var x = randn([2, 5, 4, 3], dtype: float64).permute(0, 3, 1, 2);
        Assert.False(x.is_contiguous());
        using (no_grad())
            AssertClose(composed.call(x), m.call(x), 1e-14, "no_grad value");
        var w = randn([2, 3, 5, 4], dtype: float64);
        var a = Run(m, x, w);
        var b = Run(composed, x, w);
        AssertClose(b.Gx, a.Gx, 1e-13, "d/dx");
        AssertClose(b.Gb, a.Gb, 1e-12, "d/dbeta");
    }
}

public class FusedSwishExpTests
{
    /// <summary>The float32 exp of the fused kernels against Math.Exp over its whole range, subnormals included.</summary>
    [Fact]
    public void Float_exp_is_within_two_ulps_everywhere()
    {
        var xs = new List<float> { 0f, -0f, 1f, -1f, 88.7f, 88.72283935546875f, -87.3f, -100f, -103.9f, -104f, -104.5f, -200f };
        for (double v = -110; v <= 89; v += 0.00731) xs.Add((float)v);
        for (int i = 0; i < xs.Count; i += 8)
        {
            var lane = new float[8];
            for (int k = 0; k < 8; k++) lane[k] = xs[Math.Min(i + k, xs.Count - 1)];
            var got = FusedSwish.ExpF(System.Runtime.Intrinsics.Vector256.Create(lane));
            for (int k = 0; k < 8; k++)
            {
                float want = (float)Math.Exp(lane[k]);
                float actual = got.GetElement(k);
                if (want == actual) continue;
                // Distance in representable floats (both non-negative, so the bit patterns are ordered).
                long ulps = Math.Abs((long)BitConverter.SingleToInt32Bits(want) - BitConverter.SingleToInt32Bits(actual));
                Assert.True(ulps <= 2, $"exp({lane[k]:R}): expected {want:R}, got {actual:R} ({ulps} ulps)");
            }
        }
        var special = FusedSwish.ExpF(System.Runtime.Intrinsics.Vector256.Create(float.NaN, float.NegativeInfinity, float.PositiveInfinity, 89f, -105f, 0f, 1e-30f, -1e-30f));
        Assert.True(float.IsNaN(special.GetElement(0)));
        Assert.Equal(0f, special.GetElement(1));
        Assert.Equal(float.PositiveInfinity, special.GetElement(2));
        Assert.Equal(float.PositiveInfinity, special.GetElement(3));
        Assert.Equal(0f, special.GetElement(4));
        Assert.Equal(1f, special.GetElement(5));
        Assert.Equal(1f, special.GetElement(6));
        Assert.Equal(1f, special.GetElement(7));
    }

    /// <summary>The 512-bit kernels (used where AVX-512 is) compute the same exp, lane for lane.</summary>
    [Fact]
    public void The_512_bit_exp_is_the_256_bit_one_bit_for_bit()
    {
        var xs = new List<float> { float.NaN, float.NegativeInfinity, float.PositiveInfinity, 89f, -105f, 0f, -0f, 1e-30f, -104f, 88.72283935546875f };
        for (double v = -110; v <= 89; v += 0.0173) xs.Add((float)v);
        while (xs.Count % 16 != 0) xs.Add(1f);
        for (int i = 0; i < xs.Count; i += 16)
        {
            var lanes = xs.GetRange(i, 16).ToArray();
            var wide = FusedSwish.ExpF(System.Runtime.Intrinsics.Vector512.Create(lanes));
            var lo = FusedSwish.ExpF(System.Runtime.Intrinsics.Vector256.Create(lanes[..8]));
            var hi = FusedSwish.ExpF(System.Runtime.Intrinsics.Vector256.Create(lanes[8..]));
            for (int k = 0; k < 16; k++)
            {
                float narrow = k < 8 ? lo.GetElement(k) : hi.GetElement(k - 8);
                Assert.True(BitConverter.SingleToInt32Bits(narrow) == BitConverter.SingleToInt32Bits(wide.GetElement(k)) || float.IsNaN(narrow) && float.IsNaN(wide.GetElement(k)),
                            $"exp({lanes[k]:R}): 256-bit {narrow:R}, 512-bit {wide.GetElement(k):R}");
            }
        }
    }

    /// <summary>Backward's exp for x &lt;= 0 (no overflow or NaN handling) is ExpF there, bit for bit, at both widths.</summary>
    [Fact]
    public void The_non_positive_exp_is_ExpF_bit_for_bit_where_x_is_at_most_0()
    {
        var xs = new List<float> { float.NegativeInfinity, -105f, -104f, -103.97f, -0f, 0f, -1e-30f, -float.Epsilon, -87.33655f };
        for (double v = -110; v <= 0; v += 0.00917) xs.Add((float)v);
        while (xs.Count % 16 != 0) xs.Add(-1f);
        for (int i = 0; i < xs.Count; i += 16)
        {
            var lanes = xs.GetRange(i, 16).ToArray();
            var want = FusedSwish.ExpF(System.Runtime.Intrinsics.Vector512.Create(lanes));
            var wide = FusedSwish.ExpNonPositive(System.Runtime.Intrinsics.Vector512.Create(lanes));
            var lo = FusedSwish.ExpNonPositive(System.Runtime.Intrinsics.Vector256.Create(lanes[..8]));
            var hi = FusedSwish.ExpNonPositive(System.Runtime.Intrinsics.Vector256.Create(lanes[8..]));
            for (int k = 0; k < 16; k++)
            {
                int expected = BitConverter.SingleToInt32Bits(want.GetElement(k));
                Assert.True(expected == BitConverter.SingleToInt32Bits(wide.GetElement(k)), $"exp({lanes[k]:R}): ExpF {want.GetElement(k):R}, 512-bit {wide.GetElement(k):R}");
                float narrow = k < 8 ? lo.GetElement(k) : hi.GetElement(k - 8);
                Assert.True(expected == BitConverter.SingleToInt32Bits(narrow), $"exp({lanes[k]:R}): ExpF {want.GetElement(k):R}, 256-bit {narrow:R}");
            }
        }
    }
}
