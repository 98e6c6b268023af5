using EvoAct.Search;
using EvoAct.Search.Expressions;
using EvoAct.Training.Activations;
using EvoAct.Training.Activations.Compiler;
using TorchSharp;
using static TorchSharp.torch;
using static EvoAct.Training.Tests.Activations.Compiler.CompiledActivationTests;

namespace EvoAct.Training.Tests.Activations.Compiler;

/// <summary>
/// float32, the precision training runs in: the compiled path against the float64 result, next to
/// the composed float32 ops. At every point the compiled value and d/dx are within
/// <see cref="VectorMathTests.UlpBound"/> ulp (plus one per op for the arithmetic between them) of
/// the exact result, or no further from it than twice the composed float32 path's error, or within
/// 1e-5 relative (d/dx: four times each of these): where an expression is ill-conditioned (exp of a
/// large argument, a difference that cancels) both paths lose digits, and which one rounds luckier is
/// chance. (Over 400 genomes instead of 100, a dozen such points fail this even for the earlier
/// kernels, which recomputed values in backward; the compiled and composed errors there are of one
/// size, measured while changing the backward to stored derivatives.)
/// </summary>
public class CompiledFloat32Tests
{
    static void AssertAsAccurateAsComposed(Expr e, Tensor x64, Tensor w64, string what)
    {
        using var scope = NewDisposeScope();
        int channels = (int)x64.shape[1];
        // The references, in float64 on exactly the float32 inputs: the composed ops, and the compiled
        // program (tested against them elsewhere). Both are needed: where uses of a shared
        // subexpression cancel (exp(x) - exp(x) at x = 50: 5e21 - 5e21 + 1778), the composed path
        // loses the small term even in float64, and the compiled one, which sums the uses first, keeps it.
        using var exact = Module(e, channels, fuse: false);
        using var exactCompiled = Module(e, channels, fuse: true);
        using var compiled = Module(e, channels, fuse: true, ScalarType.Float32);
        using var composed = Module(e, channels, fuse: false, ScalarType.Float32);
        var x32 = x64.to(float32);
        var r = Run(exact, x32.to(float64), w64.to(float32).to(float64));
        var rc = Run(exactCompiled, x32.to(float64), w64.to(float32).to(float64));
        var a = Run(compiled, x32, w64.to(float32));
        var b = Run(composed, x32, w64.to(float32));
        int ops = ActivationProgram.Compile(e).Instructions.Count;
        double bound = VectorMathTests.UlpBound + ops;
        Check(r.Y, rc.Y, a.Y, b.Y, bound, 1e-5, what + " value");
        // d/dx composes every op's derivative with its value: four times the value's tolerances.
        if (r.Gx is not null) Check(r.Gx, rc.Gx!, a.Gx!, b.Gx!, 4 * bound, 4e-5, what + " d/dx");
    }

    static void Check(Tensor exact, Tensor exactCompiled, Tensor compiled, Tensor composed, double ulps, double relative, string what)
    {
        var e = exact.contiguous().data<double>().ToArray();
        var ec = exactCompiled.contiguous().data<double>().ToArray();
        var a = compiled.to(float64).contiguous().data<double>().ToArray();
        var b = composed.to(float64).contiguous().data<double>().ToArray();
        for (int i = 0; i < e.Length; i++)
        {
            if (Math.Abs(a[i] - ec[i]) < Math.Abs(a[i] - e[i]) && double.IsFinite(ec[i])) e[i] = ec[i];
            // Out of float32's range, or NaN: exactly as the composed float32 path.
            if (!double.IsFinite(b[i]) || !float.IsFinite((float)e[i]))
            {
                if (double.IsNaN(b[i])) Assert.True(double.IsNaN(a[i]) || !double.IsFinite(e[i]), $"{what}[{i}]: composed NaN, compiled {a[i]:R}");
                else if (double.IsInfinity(b[i]) && double.IsInfinity(e[i])) Assert.Equal(b[i], a[i]);
                continue;
            }
            float f = (float)Math.Abs(e[i]);
            double ulp = Math.Max(MathF.BitIncrement(f) - f, 1e-30);
            double errA = Math.Abs(a[i] - e[i]), errB = Math.Abs(b[i] - e[i]);
            // Or five significant digits (d/dx: 4e-5): a composition amplifies its ops' rounding by its condition
            // number (exp(49 + 1 ulp) is 32 ulp off; div(sin(x), x) at x ~ 1e-6 cancels terms of 1e6),
            // and which of two float32 paths rounds luckier there is chance.
            Assert.True(errA <= ulps * ulp || errA <= 2 * errB || errA <= relative * Math.Max(1, Math.Abs(e[i])),
                $"{what}[{i}]: exact {e[i]:R}, compiled {a[i]:R} ({errA / ulp:F1} ulp), composed {b[i]:R} ({errB / ulp:F1} ulp)");
        }
    }

    /// <summary>Inputs of all magnitudes: most like a batch-normed pre-activation, some up to 1e4, a few tiny.</summary>
    static (Tensor X, Tensor W) WideInputs(long[] shape, int seed)
    {
        var gen = new Generator((ulong)seed);
        var x = randn(shape, dtype: float64, generator: gen) * 2;
        var big = randn(shape, dtype: float64, generator: gen) * exp(rand(shape, dtype: float64, generator: gen) * 9);
        var pick = rand(shape, dtype: float64, generator: gen);
        x = where(pick > 0.9, big, where(pick < 0.03, x * 1e-6, x));
        return (x, randn(shape, dtype: float64, generator: gen));
    }

    [Theory]
    [MemberData(nameof(CompiledActivationTests.EveryOp), MemberType = typeof(CompiledActivationTests))]
    public void Every_op_in_float32_is_as_accurate_as_the_composed_ops(string text)
    {
        var e = ExpressionParser.Parse(text);
        if (!ActivationProgram.Compile(e).UsesX) return;
        using var scope = NewDisposeScope();
        var (x, w) = WideInputs([4, 3, 8, 8], text.Length);
        AssertAsAccurateAsComposed(e, x, w, text);
    }

    [Fact]
    public void Generated_loops_give_the_interpreter_results_bit_for_bit()
    {
        int generated = AssertSameBits(CompiledActivation.Compile, e =>
        {
            var interpreted = CompiledActivation.Interpreted(e);
            Assert.Null(interpreted.Program.Generated);
            return interpreted;
        }, "generated", "interpreted");
        Assert.True(generated > 150, $"only {generated} programs had generated loops");
    }

    /// <summary>
    /// The 16-lane loops (zmm on AVX-512 machines; emulated, but still exact, where Vector512 is not
    /// accelerated) compute what the 8-lane ones do, to the bit, over blocks that are not whole vectors,
    /// and over planes that end mid-vector (5x7, 7x7) or with one (4x4), where each width splits its
    /// d/dbeta sums differently into registers (BlockBetas).
    /// </summary>
    [Fact]
    public void Sixteen_lane_loops_give_the_eight_lane_results_bit_for_bit()
    {
        long[][] shapes = [[3, 4, 5, 7], [37, 4], [5, 6, 4, 4], [3, 5, 7, 7]];
        int generated = AssertSameBits(e => Lanes(CompiledActivation.WithLoops(e, 512), 16), e => Lanes(CompiledActivation.WithLoops(e, 256), 8), "16 lanes", "8 lanes", shapes);
        Assert.True(generated > 150, $"only {generated} programs had generated loops");
    }

    /// <summary>
    /// Programs of plain arithmetic keep x and evaluate their derivatives again in backward, the others
    /// store them forward (<see cref="ActivationProgram.RecomputesInBackward"/>): a matter of speed, so
    /// both give the same bits, for every op and 150 random genomes, in float32 (generated loops and,
    /// for the longest programs, the interpreter) and float64, on shapes with several blocks per unit,
    /// blocks cut mid-plane, channels-last and (N, C), and one on two threads, large enough for the
    /// stored derivatives' streaming stores (<see cref="BlockInterpreter{T}.StreamElements"/>).
    /// </summary>
    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void Recomputing_the_derivatives_in_backward_gives_the_stored_ones_results_bit_for_bit(ScalarType dtype)
    {
        static CompiledActivation With(Expr e, bool recompute)
        {
            var c = CompiledActivation.WithLoops(e, CompiledActivation.NativeVectorBits == 0 ? 256 : CompiledActivation.NativeVectorBits);
            c.Program.RecomputesInBackward = recompute;
            return c;
        }
        long[][] shapes = [[3, 4, 5, 7], [37, 4], [2, 3, 41, 43], [-2, 5, 9, 11], [6, 4, 40, 40], [5, 6, 4, 4]];
        Assert.True(6 * 4 * 40 * 40 >= BlockInterpreter<float>.StreamElements);
        int programs = AssertSameBits(e => With(e, true), e => With(e, false), "recomputed", "stored", shapes, generatedOnly: false, dtype);
        Assert.True(programs > 180, $"only {programs} programs compared");
    }

    /// <summary>Programs with no more transcendentals, divisions and roots than betas recompute; the rest store.</summary>
    [Theory]
    [InlineData("mix((relu(x) - beta)^3, beta * x)", true)]
    [InlineData("mix(abs(mix(x + beta, abs(x))), x^3)", true)]
    [InlineData("max(x, 0.5 * x) - min0(x)^2", true)]
    [InlineData("x * sigmoid(beta * x)", true)]
    [InlineData("gaussdiff(beta, gauss(x))", true)]
    [InlineData("atan(x) / beta * gauss(x)", false)]
    [InlineData("x * sigmoid(1.5 * x)", false)]
    [InlineData("cos(x) - x", false)]
    [InlineData("x / (x^2 + 1)", false)]
    [InlineData("x ^ 0.5 + x", false)]
    public void A_program_recomputes_in_backward_when_its_evaluation_is_cheap_for_its_betas_and_then_really_does(string text, bool recomputes)
    {
        var c = CompiledActivation.Compile(ExpressionParser.Parse(text));
        Assert.Equal(recomputes, c.Program.RecomputesInBackward);
        using var scope = NewDisposeScope();
        var x = randn(8, 3, 6, 6).requires_grad_(true);
        var betas = Enumerable.Range(0, c.BetaInputs.Count).Select(_ => ones(3).requires_grad_(true)).ToArray();
        c.Apply(x, betas).sum().backward();
        Assert.Equal(1, c.Stats.BackwardCalls);
        Assert.Equal(recomputes ? 1 : 0, c.Stats.RecomputedBackwardCalls);
    }

    static CompiledActivation Lanes(CompiledActivation c, int lanes)
    {
        if (c.Program.Generated is { } loops) Assert.Equal(lanes, loops.Lanes);
        return c;
    }

    /// <summary>
    /// Every op and 150 random genomes, forward and backward, on an NCHW and an (N, C) shape (or the
    /// given shapes; a negative batch size means that shape channels-last); the count of programs compared.
    /// </summary>
    static int AssertSameBits(Func<Expr, CompiledActivation> first, Func<Expr, CompiledActivation> second, string firstName, string secondName,
                              long[][]? shapes = null, bool generatedOnly = true, ScalarType dtype = ScalarType.Float32)
    {
        var rng = new Rng(4242);
        var texts = CompiledActivationTests.EveryOp().Select(o => (string)o[0]).ToList();
        for (int i = 0; i < 150; i++) texts.Add(SearchSpace.Paper.Random(rng).ToExpr().ToString());
        int generated = 0;
        foreach (var text in texts)
        {
            var e = ExpressionParser.Parse(text);
            var fast = first(e);
            if (!fast.Program.UsesX || (generatedOnly && fast.Program.Generated is null)) continue;
            generated++;
            var slow = second(e);
            Assert.NotSame(fast.Program, slow.Program);
            foreach (var given in shapes ?? [[3, 4, 5, 7], [37, 4]])
            {
                using var scope = NewDisposeScope();
                bool channelsLast = given[0] < 0;
                long[] shape = [Math.Abs(given[0]), .. given[1..]];
                var (x64, w64) = WideInputs(shape, text.Length);
                var x = channelsLast ? EvoAct.Training.Models.MemoryFormat.ToChannelsLast(x64.to(dtype)) : x64.to(dtype);
                var w = w64.to(dtype);
                long channels = shape[1];
                var betas = Enumerable.Range(0, fast.BetaInputs.Count).Select(k => (rand(channels, dtype: dtype, generator: new Generator((ulong)k)) + 0.5).requires_grad_(true)).ToArray();
                (double[] Y, double[] Gx, double[][] Gb) Run(CompiledActivation c)
                {
                    var xi = (channelsLast ? EvoAct.Training.Models.MemoryFormat.ToChannelsLast(x.detach().clone()) : x.detach().clone()).requires_grad_(true);
                    var y = c.Apply(xi, betas);
                    (y * w).sum().backward();
                    static double[] Values(Tensor t) => t.to(float64).contiguous().data<double>().ToArray();
                    var r = (Values(y.detach()), Values(xi.grad!), betas.Select(b => Values(b.grad!)).ToArray());
                    foreach (var b in betas) b.grad = null;
                    return r;
                }
                var a = Run(fast);
                var b = Run(slow);
                Assert.True(a.Y.SequenceEqual(b.Y), $"{text}: values differ ({firstName} against {secondName})");
                Assert.True(a.Gx.SequenceEqual(b.Gx), $"{text}: d/dx differs ({firstName} against {secondName})");
                for (int k = 0; k < a.Gb.Length; k++) Assert.True(a.Gb[k].SequenceEqual(b.Gb[k]), $"{text}: d/dbeta[{k}] differs ({firstName} against {secondName})");
            }
        }
        return generated;
    }

    [Fact]
    public void Random_genomes_in_float32_are_as_accurate_as_the_composed_ops()
    {
        var rng = new Rng(99);
        for (int i = 0; i < 100; i++)
        {
            var e = SearchSpace.Paper.Random(rng).ToExpr();
            if (!ActivationProgram.Compile(e).UsesX) continue;
            using var scope = NewDisposeScope();
            var (x, w) = WideInputs([3, 2, 6, 6], i);
            AssertAsAccurateAsComposed(e, x, w, $"genome {i}: {e}");
        }
    }
}

/// <summary>
/// Process-wide torch state (the intra-op thread count) and the kernels' thread cap: these tests
/// change it, so they run alone, after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchThreadsCollection
{
    public const string Name = "torch threads (process-wide)";
}

[Collection(TorchThreadsCollection.Name)]
public class CompiledThreadTests
{
    [Fact]
    public void Compiling_a_thousand_different_genomes_does_not_grow_memory_without_bound()
    {
        static long Rss()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:"));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        // The cache holds each program's generated code until it starts over: with its limit at 100,
        // 1,000 genomes cycle it ten times, so what stays is bounded by the cache, not the genomes
        // (at the real limit of 1,024 the first 1,000 only fill it). Alone in this collection, so
        // no other test allocates meanwhile.
        int limit = CompiledActivation.CacheLimit;
        CompiledActivation.CacheLimit = 100;
        try
        {
            var rng = new Rng(1000);
            long after200 = 0;
            for (int i = 0; i < 1000; i++)
            {
                using (var scope = NewDisposeScope())
                {
                    var e = SearchSpace.Paper.Random(rng).ToExpr();
                    using var m = new ActivationModule(e, 8);
                    var x = randn(32, 8, 6, 6).requires_grad_(true);
                    var y = m.call(x);
                    if (y.requires_grad) y.sum().backward();
                }
                if (i == 199) after200 = Rss();
            }
            long after1000 = Rss();
            Assert.True(CompiledActivation.CachedPrograms <= 100);
            // 800 more genomes may not cost more than a few MB: one leaked activation-sized tensor per
            // genome (36 KB here) would be 29 MB, and so would generated code that is never freed.
            Assert.True(after1000 - after200 < 16 << 20, $"RSS grew by {(after1000 - after200) / 1048576.0:F1} MiB between genome 200 and 1000");
        }
        finally
        {
            CompiledActivation.CacheLimit = limit;
        }
    }

    public static IEnumerable<object[]> Layouts() => new[]
    {
        new object[] { new long[] { 16, 12, 20, 20 }, false },   // planes
        new object[] { new long[] { 16, 12, 20, 20 }, true },    // channels-last rows
        new object[] { new long[] { 6000, 12 }, false },         // (N, C) rows
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void One_and_two_threads_give_identical_results_and_two_threads_really_run(long[] shape, bool channelsLast)
    {
        int before = get_num_threads();
        try
        {
            set_num_threads(2);
            var e = ExpressionParser.Parse("mix(beta * max(softplus(x), tanh(x)), asinh(x)) + scale(sin(x))");
            var results = new List<(float[] Y, float[] Gx, float[][] Gb)>();
            var teams = new List<(int Forward, int Backward)>();
            foreach (int cap in new[] { 1, 0 })
            {
                using var scope = NewDisposeScope();
                CompiledActivation.MaxThreads = cap;
                var (x64, w64) = Inputs(shape, 4);
                var x = channelsLast ? EvoAct.Training.Models.MemoryFormat.ToChannelsLast(x64.to(float32)) : x64.to(float32);
                var w = channelsLast ? EvoAct.Training.Models.MemoryFormat.ToChannelsLast(w64.to(float32)) : w64.to(float32);
                using var m = Module(e, (int)shape[1], fuse: true, ScalarType.Float32);
                var r = Run(m, x, w);
                results.Add((r.Y.contiguous().data<float>().ToArray(), r.Gx!.contiguous().data<float>().ToArray(),
                             r.Gb.Select(g => g!.data<float>().ToArray()).ToArray()));
                teams.Add((m.Compiled!.Stats.LastForwardThreads, m.Compiled.Stats.LastBackwardThreads));
            }
            Assert.Equal((1, 1), teams[0]);
            Assert.Equal((2, 2), teams[1]);   // the split really happened: not one thread against one thread
            Assert.Equal(results[0].Y, results[1].Y);
            Assert.Equal(results[0].Gx, results[1].Gx);
            for (int k = 0; k < results[0].Gb.Length; k++) Assert.Equal(results[0].Gb[k], results[1].Gb[k]);
        }
        finally
        {
            CompiledActivation.MaxThreads = 0;
            set_num_threads(before);
        }
    }
}
