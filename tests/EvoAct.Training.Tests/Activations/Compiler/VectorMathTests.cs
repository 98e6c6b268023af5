using System.Runtime.Intrinsics;
using EvoAct.Search.Expressions;
using EvoAct.Training.Activations.Compiler;
using Xunit.Abstractions;

namespace EvoAct.Training.Tests.Activations.Compiler;

/// <summary>
/// The compiler's float32 math against double precision over dense grids, in ulps of the correctly
/// rounded result (below the smallest normal float, in ulps of that). The bound checked here is the
/// one README states: at most <see cref="UlpBound"/> ulp for every function.
/// </summary>
public class VectorMathTests(ITestOutputHelper output)
{
    public const double UlpBound = 4;

    static double Ulp(double reference)
    {
        float r = (float)Math.Abs(reference);
        if (float.IsInfinity(r)) r = float.MaxValue;
        return Math.Max(MathF.BitIncrement(r) - r, MathF.BitIncrement(1.17549435e-38f) - 1.17549435e-38f) ;
    }

    /// <summary>Grid points: dense near 0, then geometric out to <paramref name="max"/>, both signs.</summary>
    static IEnumerable<float> Grid(float max)
    {
        for (int i = -4000; i <= 4000; i++) yield return i / 1000f;
        for (double v = 4; v <= max; v *= 1.0007) { yield return (float)v; yield return (float)-v; }
        for (double v = 1e-30; v < 1e-3; v *= 1.05) { yield return (float)v; yield return (float)-v; }
    }

    public static IEnumerable<object[]> Functions() => new[]
    {
        new object[] { "exp", 88f }, ["log", 3e38f], ["sin", 8192f], ["cos", 8192f], ["sin-large", 1e6f], ["tanh", 50f], ["sinh", 89f],
        ["cosh", 89f], ["asinh", 1e30f], ["atan", 1e30f], ["erf", 10f], ["sigmoid", 100f], ["softplus", 100f], ["sinc", 8192f],
        ["sinc'", 1000f],
    };

    static (Func<Vector256<float>, Vector256<float>> F, Func<double, double> Reference) Pair(string name) => name switch
    {
        "exp" => (VectorMath.Exp, Math.Exp),
        "log" => (VectorMath.Log, Math.Log),
        "sin" or "sin-large" => (v => VectorMath.SinCos(v).Sin, Math.Sin),
        "cos" => (v => VectorMath.SinCos(v).Cos, Math.Cos),
        "tanh" => (VectorMath.Tanh, Math.Tanh),
        "sinh" => (VectorMath.Sinh, Math.Sinh),
        "cosh" => (VectorMath.Cosh, Math.Cosh),
        "asinh" => (VectorMath.Asinh, Math.Asinh),
        "atan" => (VectorMath.Atan, Math.Atan),
        "erf" => (VectorMath.Erf, SpecialFunctions.Erf),
        "sigmoid" => (VectorMath.Sigmoid, SpecialFunctions.Sigmoid),
        "softplus" => (VectorMath.Softplus, SpecialFunctions.Softplus),
        "sinc" => (v => VectorMath.Sinc(v, VectorMath.SinCos(v).Sin), SpecialFunctions.Sinc),
        "sinc'" => (v => { var (s, c) = VectorMath.SinCos(v); return VectorMath.SincDerivative(v, s, c); }, SpecialFunctions.SincDerivative),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Functions))]
    public void Float32_math_is_within_the_ulp_bound(string name, float max)
    {
        var (f, reference) = Pair(name);
        var xs = Grid(max).Where(x => name != "log" || x > 0).ToArray();
        double worst = 0;
        float worstAt = 0;
        var lanes = new float[8];
        for (int i = 0; i < xs.Length; i += 8)
        {
            for (int k = 0; k < 8; k++) lanes[k] = xs[Math.Min(i + k, xs.Length - 1)];
            var y = f(Vector256.Create(lanes));
            for (int k = 0; k < 8; k++)
            {
                double want = reference(lanes[k]);
                float got = y.GetElement(k);
                if (float.IsInfinity((float)want) || double.IsNaN(want))
                {
                    Assert.True(got.Equals((float)want), $"{name}({lanes[k]:R}) = {got}, expected {(float)want}");
                    continue;
                }
                // sinc' = (x cos x - sin x) / x^2 cancels near its zeros: its error is measured against
                // the size of its terms, as for any difference.
                double scale = name == "sinc'" && Math.Abs(lanes[k]) >= 0.5
                    ? Math.Abs(Math.Cos(lanes[k]) / lanes[k]) + Math.Abs(Math.Sin(lanes[k]) / ((double)lanes[k] * lanes[k]))
                    : want;
                double err = Math.Abs(got - want) / Ulp(scale);
                if (err > worst) { worst = err; worstAt = lanes[k]; }
            }
        }
        output.WriteLine($"{name}: max error {worst:F2} ulp at {worstAt:R} over {xs.Length} points");
        Assert.True(worst <= UlpBound, $"{name}: {worst:F2} ulp at x = {worstAt:R}");
    }

    [Fact]
    public void Special_values_are_those_of_float32()
    {
        var special = Vector256.Create(float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 88.73f, 89.42f, -200f);
        var exp = VectorMath.Exp(special);
        Assert.True(float.IsNaN(exp.GetElement(0)));
        Assert.Equal([float.PositiveInfinity, 0f, 1f, 1f, float.PositiveInfinity, float.PositiveInfinity, 0f], Enumerable.Range(1, 7).Select(i => exp.GetElement(i)));
        var cosh = VectorMath.Cosh(special);
        Assert.Equal(float.PositiveInfinity, cosh.GetElement(6));   // 89.42: past float32's cosh overflow
        Assert.True(float.IsFinite(VectorMath.Cosh(Vector256.Create(89.41f)).GetElement(0)));
        var log = VectorMath.Log(Vector256.Create(0f, -1f, float.NaN, float.PositiveInfinity, 1e-45f, 1f, -0f, 2f));
        Assert.Equal(float.NegativeInfinity, log.GetElement(0));
        Assert.True(float.IsNaN(log.GetElement(1)) && float.IsNaN(log.GetElement(2)));
        Assert.Equal(float.PositiveInfinity, log.GetElement(3));
        Assert.Equal(MathF.Log(1e-45f), log.GetElement(4), 4);   // subnormal input
        Assert.Equal(0f, log.GetElement(5));
        foreach (var f in new Func<Vector256<float>, Vector256<float>>[] { VectorMath.Tanh, VectorMath.Sinh, VectorMath.Asinh, VectorMath.Atan, VectorMath.Erf, VectorMath.Sigmoid, VectorMath.Softplus, v => VectorMath.SinCos(v).Sin })
            Assert.True(float.IsNaN(f(special).GetElement(0)), "NaN in, NaN out");
        Assert.Equal([1f, -1f], new[] { VectorMath.Tanh(special).GetElement(1), VectorMath.Tanh(special).GetElement(2) });
        Assert.Equal(MathF.PI / 2, VectorMath.Atan(special).GetElement(1), 6);
        Assert.Equal(1f, VectorMath.Sinc(special, VectorMath.SinCos(special).Sin).GetElement(3));
        Assert.Equal(0f, VectorMath.SincDerivative(special, VectorMath.SinCos(special).Sin, VectorMath.SinCos(special).Cos).GetElement(3));
    }
}

/// <summary>
/// exp's scaling by 2^n: AVX-512's one instruction, where the machine has it, against the portable
/// two-factor product that AVX2 machines run, bit for bit at both widths, over every n an exp can
/// ask for (normal, subnormal, zero and overflowing results) and a dense grid of the polynomial's values.
/// </summary>
public class ExpScaleTests
{
    [Fact]
    public void Both_ways_of_scaling_agree_bit_for_bit()
    {
        long compared = 0;
        for (int shift = 0; shift <= 1; shift++)
            for (int n = -151; n <= 130; n++)
                for (float p = 0.70f; p <= 1.42f; p = MathF.BitIncrement(p) + 1e-4f)
                {
                    var narrow = Vector256.Create(p);
                    var nn = Vector256.Create((float)n);
                    Assert.Equal(VectorMath.ScalePortable(narrow, nn, shift).AsUInt32(), VectorMath.Scale(narrow, nn, shift).AsUInt32());
                    var wide = Vector512.Create(p);
                    var wn = Vector512.Create((float)n);
                    Assert.Equal(EvoAct.Training.Activations.Compiler.Wide.VectorMath.ScalePortable(wide, wn, shift).AsUInt32(),
                                 EvoAct.Training.Activations.Compiler.Wide.VectorMath.Scale(wide, wn, shift).AsUInt32());
                    compared++;
                }
        Assert.True(compared > 1_000_000, $"{compared} points");   // (on a machine without AVX-512 both sides are the portable product)
    }
}
