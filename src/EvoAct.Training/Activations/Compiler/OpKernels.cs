using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using EvoAct.Search.Expressions;

#if WIDE
using V = System.Runtime.Intrinsics.Vector512<float>;
using VX = System.Runtime.Intrinsics.Vector512;
using VM = EvoAct.Training.Activations.Compiler.Wide.VectorMath;
namespace EvoAct.Training.Activations.Compiler.Wide;
#else
using V = System.Runtime.Intrinsics.Vector256<float>;
using VX = System.Runtime.Intrinsics.Vector256;
using VM = EvoAct.Training.Activations.Compiler.VectorMath;
namespace EvoAct.Training.Activations.Compiler;
#endif

/// <summary>
/// One primitive op, forward and backward, for 8 float32 lanes and for a scalar double. Backward
/// writes torch's own derivative formulas (tools/autograd/derivatives.yaml), so that NaN, inf and
/// the kinks come out as on the composed path: relu and max/min mask with a hard zero (a NaN
/// gradient does not leak through a closed branch), abs multiplies by sign(a) (0 at 0 and for NaN),
/// ties of max/min split the gradient. y is the op's output, g the adjoint arriving at it.
/// </summary>
internal interface IUnaryKernel
{
    static abstract V Value(V a);
    static abstract V Grad(V a, V y, V g);
    static abstract double Value(double a);
    static abstract double Grad(double a, double y, double g);
}

/// <summary>
/// A unary op whose derivative costs a transcendental of its own (sin's is cos, softplus' needs
/// e^a, ...): backward's recompute gets value and derivative from one evaluation (one range
/// reduction, one exp) into a block register, and the reverse sweep multiplies. Grad stays for the
/// scalar reference and the tests.
/// </summary>
internal interface IDerivativeKernel : IUnaryKernel
{
    static abstract V Both(V a, out V d);
}

/// <inheritdoc cref="IUnaryKernel"/>
internal interface IBinaryKernel
{
    static abstract V Value(V a, V b);
    static abstract V GradA(V a, V b, V y, V g);
    static abstract V GradB(V a, V b, V y, V g);
    static abstract double Value(double a, double b);
    static abstract double GradA(double a, double b, double y, double g);
    static abstract double GradB(double a, double b, double y, double g);
}

internal static class K
{
    public static V C(float v) => VX.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Sel(V mask, V a, V b) => VX.ConditionalSelect(mask, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V NaN(V x) => ~VX.Equals(x, x);
    /// <summary>torch.sign: (a &gt; 0) - (a &lt; 0), so 0 for 0 and for NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Sign(V a) => (VX.GreaterThan(a, V.Zero) & V.One) - (VX.LessThan(a, V.Zero) & V.One);
    public static double Sign(double a) => (a > 0 ? 1 : 0) - (a < 0 ? 1 : 0);
    public const double TwoOverSqrtPi = 1.1283791670955126;
}

internal struct NegK : IUnaryKernel
{
    public static V Value(V a) => -a;
    public static V Grad(V a, V y, V g) => -g;
    public static double Value(double a) => -a;
    public static double Grad(double a, double y, double g) => -g;
}

internal struct AbsK : IUnaryKernel
{
    public static V Value(V a) => VX.Abs(a);
    public static V Grad(V a, V y, V g) => g * K.Sign(a);
    public static double Value(double a) => Math.Abs(a);
    public static double Grad(double a, double y, double g) => g * K.Sign(a);
}

internal struct SquareK : IUnaryKernel
{
    public static V Value(V a) => a * a;
    public static V Grad(V a, V y, V g) => g * (a + a);
    public static double Value(double a) => a * a;
    public static double Grad(double a, double y, double g) => g * (2 * a);
}

internal struct CubeK : IUnaryKernel
{
    public static V Value(V a) => a * a * a;
    public static V Grad(V a, V y, V g) => g * (K.C(3f) * (a * a));
    public static double Value(double a) => a * a * a;
    public static double Grad(double a, double y, double g) => g * (3 * (a * a));
}

internal struct SqrtK : IUnaryKernel
{
    public static V Value(V a) => VX.Sqrt(a);
    public static V Grad(V a, V y, V g) => g / (y + y);
    public static double Value(double a) => Math.Sqrt(a);
    public static double Grad(double a, double y, double g) => g / (2 * y);
}

internal struct LogK : IUnaryKernel
{
    public static V Value(V a) => VM.Log(a);
    public static V Grad(V a, V y, V g) => g / a;
    public static double Value(double a) => Math.Log(a);
    public static double Grad(double a, double y, double g) => g / a;
}

internal struct ExpK : IUnaryKernel
{
    public static V Value(V a) => VM.Exp(a);
    public static V Grad(V a, V y, V g) => g * y;
    public static double Value(double a) => Math.Exp(a);
    public static double Grad(double a, double y, double g) => g * y;
}

internal struct SinK : IDerivativeKernel
{
    public static V Both(V a, out V d) { var (sin, cos) = VM.SinCos(a); d = cos; return sin; }
    public static V Value(V a) => VM.SinCos(a).Sin;
    public static V Grad(V a, V y, V g) => g * VM.SinCos(a).Cos;
    public static double Value(double a) => Math.Sin(a);
    public static double Grad(double a, double y, double g) => g * Math.Cos(a);
}

internal struct CosK : IDerivativeKernel
{
    public static V Both(V a, out V d) { var (sin, cos) = VM.SinCos(a); d = -sin; return cos; }
    public static V Value(V a) => VM.SinCos(a).Cos;
    public static V Grad(V a, V y, V g) => g * -VM.SinCos(a).Sin;
    public static double Value(double a) => Math.Cos(a);
    public static double Grad(double a, double y, double g) => g * -Math.Sin(a);
}

internal struct SinhK : IDerivativeKernel
{
    public static V Both(V a, out V d) { var (sinh, cosh) = VM.SinhCosh(a); d = cosh; return sinh; }
    public static V Value(V a) => VM.Sinh(a);
    public static V Grad(V a, V y, V g) => g * VM.Cosh(a);
    public static double Value(double a) => Math.Sinh(a);
    public static double Grad(double a, double y, double g) => g * Math.Cosh(a);
}

internal struct CoshK : IDerivativeKernel
{
    public static V Both(V a, out V d) { var (sinh, cosh) = VM.SinhCosh(a); d = sinh; return cosh; }
    public static V Value(V a) => VM.Cosh(a);
    public static V Grad(V a, V y, V g) => g * VM.Sinh(a);
    public static double Value(double a) => Math.Cosh(a);
    public static double Grad(double a, double y, double g) => g * Math.Sinh(a);
}

internal struct TanhK : IUnaryKernel
{
    public static V Value(V a) => VM.Tanh(a);
    public static V Grad(V a, V y, V g) => g * (V.One - y * y);
    public static double Value(double a) => Math.Tanh(a);
    public static double Grad(double a, double y, double g) => g * (1 - y * y);
}

internal struct AsinhK : IUnaryKernel
{
    public static V Value(V a) => VM.Asinh(a);
    public static V Grad(V a, V y, V g) => g * (V.One / VX.Sqrt(a * a + V.One));
    public static double Value(double a) => Math.Asinh(a);
    public static double Grad(double a, double y, double g) => g * (1 / Math.Sqrt(a * a + 1));
}

internal struct AtanK : IUnaryKernel
{
    public static V Value(V a) => VM.Atan(a);
    public static V Grad(V a, V y, V g) => g / (a * a + V.One);
    public static double Value(double a) => Math.Atan(a);
    public static double Grad(double a, double y, double g) => g / (a * a + 1);
}

internal struct SincK : IDerivativeKernel
{
    public static V Both(V a, out V d)
    {
        var (sin, cos) = VM.SinCos(a);
        d = VM.SincDerivative(a, sin, cos);
        return VM.Sinc(a, sin);
    }
    public static V Value(V a) => VM.Sinc(a, VM.SinCos(a).Sin);
    public static V Grad(V a, V y, V g)
    {
        var (s, c) = VM.SinCos(a);
        return g * VM.SincDerivative(a, s, c);
    }
    public static double Value(double a) => SpecialFunctions.Sinc(a);
    public static double Grad(double a, double y, double g) => g * SpecialFunctions.SincDerivative(a);
}

internal struct ReluK : IUnaryKernel
{
    // relu(NaN) = NaN (torch's clamp_min), and threshold_backward passes g unless y <= 0.
    public static V Value(V a) => K.Sel(VX.LessThanOrEqual(a, V.Zero), V.Zero, a);
    public static V Grad(V a, V y, V g) => K.Sel(VX.LessThanOrEqual(y, V.Zero), V.Zero, g);
    public static double Value(double a) => a <= 0 ? 0 : a;
    public static double Grad(double a, double y, double g) => y <= 0 ? 0 : g;
}

internal struct Min0K : IUnaryKernel
{
    // The composed -relu(-a): min(a, 0), NaN for NaN; its gradient passes where relu(-a) > 0 or is NaN.
    public static V Value(V a) => K.Sel(VX.GreaterThanOrEqual(a, V.Zero), V.Zero, a);
    public static V Grad(V a, V y, V g) => K.Sel(VX.GreaterThanOrEqual(a, V.Zero), V.Zero, g);
    public static double Value(double a) => a >= 0 ? 0 : a;
    public static double Grad(double a, double y, double g) => a >= 0 ? 0 : g;
}

internal struct SigmoidK : IUnaryKernel
{
    public static V Value(V a) => VM.Sigmoid(a);
    public static V Grad(V a, V y, V g) => g * (V.One - y) * y;
    public static double Value(double a) => 1 / (1 + Math.Exp(-a));
    public static double Grad(double a, double y, double g) => g * (1 - y) * y;
}

internal struct SoftplusK : IDerivativeKernel
{
    public static V Both(V a, out V d)
    {
        var y = VM.Softplus(a, out var s);
        d = K.Sel(K.NaN(a), a, K.Sel(VX.GreaterThan(a, K.C(20f)), V.One, s));
        return y;
    }
    public static V Value(V a) => VM.Softplus(a);
    public static V Grad(V a, V y, V g)
    {
        var z = VM.Exp(a);
        return K.Sel(VX.GreaterThan(a, K.C(20f)), g, g * z / (z + V.One));
    }
    public static double Value(double a) => a > 20 ? a : Log1p(Math.Exp(a));
    public static double Grad(double a, double y, double g)
    {
        double z = Math.Exp(a);
        return a > 20 ? g : g * z / (z + 1);
    }
    /// <summary>log(1 + u), accurate for small u (Goldberg's correction; Math has no log1p).</summary>
    static double Log1p(double u)
    {
        double w = 1 + u;
        return w == 1 ? u : Math.Log(w) * u / (w - 1);
    }
}

internal struct ErfK : IDerivativeKernel
{
    public static V Both(V a, out V d) { d = K.C((float)K.TwoOverSqrtPi) * VM.Exp(-(a * a)); return VM.Erf(a); }
    public static V Value(V a) => VM.Erf(a);
    public static V Grad(V a, V y, V g) => K.C((float)K.TwoOverSqrtPi) * VM.Exp(-(a * a)) * g;
    public static double Value(double a) => SpecialFunctions.Erf(a);
    public static double Grad(double a, double y, double g) => K.TwoOverSqrtPi * Math.Exp(-(a * a)) * g;
}

internal struct AddK : IBinaryKernel
{
    public static V Value(V a, V b) => a + b;
    public static V GradA(V a, V b, V y, V g) => g;
    public static V GradB(V a, V b, V y, V g) => g;
    public static double Value(double a, double b) => a + b;
    public static double GradA(double a, double b, double y, double g) => g;
    public static double GradB(double a, double b, double y, double g) => g;
}

internal struct SubK : IBinaryKernel
{
    public static V Value(V a, V b) => a - b;
    public static V GradA(V a, V b, V y, V g) => g;
    public static V GradB(V a, V b, V y, V g) => -g;
    public static double Value(double a, double b) => a - b;
    public static double GradA(double a, double b, double y, double g) => g;
    public static double GradB(double a, double b, double y, double g) => -g;
}

internal struct MulK : IBinaryKernel
{
    public static V Value(V a, V b) => a * b;
    public static V GradA(V a, V b, V y, V g) => g * b;
    public static V GradB(V a, V b, V y, V g) => g * a;
    public static double Value(double a, double b) => a * b;
    public static double GradA(double a, double b, double y, double g) => g * b;
    public static double GradB(double a, double b, double y, double g) => g * a;
}

internal struct DivK : IBinaryKernel
{
    public static V Value(V a, V b) => a / b;
    public static V GradA(V a, V b, V y, V g) => g / b;
    public static V GradB(V a, V b, V y, V g) => -g * (a / b / b);
    public static double Value(double a, double b) => a / b;
    public static double GradA(double a, double b, double y, double g) => g / b;
    public static double GradB(double a, double b, double y, double g) => -g * (a / b / b);
}

internal struct MaxK : IBinaryKernel
{
    // torch.maximum: NaN wins; backward where(a == b, g / 2, g), masked to 0 where the other side is larger.
    public static V Value(V a, V b) => K.Sel(K.NaN(a) | K.NaN(b), K.C(float.NaN), K.Sel(VX.LessThan(a, b), b, a));
    public static V GradA(V a, V b, V y, V g) => K.Sel(VX.LessThan(a, b), V.Zero, K.Sel(VX.Equals(a, b), g * K.C(0.5f), g));
    public static V GradB(V a, V b, V y, V g) => K.Sel(VX.GreaterThan(a, b), V.Zero, K.Sel(VX.Equals(a, b), g * K.C(0.5f), g));
    public static double Value(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : a < b ? b : a;
    public static double GradA(double a, double b, double y, double g) => a < b ? 0 : a == b ? g / 2 : g;
    public static double GradB(double a, double b, double y, double g) => a > b ? 0 : a == b ? g / 2 : g;
}

internal struct MinK : IBinaryKernel
{
    public static V Value(V a, V b) => K.Sel(K.NaN(a) | K.NaN(b), K.C(float.NaN), K.Sel(VX.GreaterThan(a, b), b, a));
    public static V GradA(V a, V b, V y, V g) => K.Sel(VX.GreaterThan(a, b), V.Zero, K.Sel(VX.Equals(a, b), g * K.C(0.5f), g));
    public static V GradB(V a, V b, V y, V g) => K.Sel(VX.LessThan(a, b), V.Zero, K.Sel(VX.Equals(a, b), g * K.C(0.5f), g));
    public static double Value(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : a > b ? b : a;
    public static double GradA(double a, double b, double y, double g) => a > b ? 0 : a == b ? g / 2 : g;
    public static double GradB(double a, double b, double y, double g) => a < b ? 0 : a == b ? g / 2 : g;
}

/// <summary>
/// pow(tensor, tensor), lane by lane with MathF.Pow: no op of the paper's genome space makes one
/// (only free expressions such as x ^ sin(x) do), so it is not worth a vector pow.
/// Backward: where(b == 0, 0, g b a^(b-1)) and where(a == 0 and b &gt;= 0, 0, g y log a).
/// </summary>
internal struct PowK : IBinaryKernel
{
    static V Lanes(V a, V b, Func<float, float, float> f)
    {
        Span<float> r = stackalloc float[V.Count];
        for (int i = 0; i < V.Count; i++) r[i] = f(a.GetElement(i), b.GetElement(i));
        return VX.Create<float>(r);
    }
    public static V Value(V a, V b) => Lanes(a, b, MathF.Pow);
    public static V GradA(V a, V b, V y, V g) => g * Lanes(a, b, (x, k) => k == 0 ? 0 : k * MathF.Pow(x, k - 1));
    public static V GradB(V a, V b, V y, V g) => K.Sel(VX.Equals(a, V.Zero) & VX.GreaterThanOrEqual(b, V.Zero), V.Zero, g * (y * VM.Log(a)));
    public static double Value(double a, double b) => Math.Pow(a, b);
    public static double GradA(double a, double b, double y, double g) => b == 0 ? 0 : g * (b * Math.Pow(a, b - 1));
    public static double GradB(double a, double b, double y, double g) => a == 0 && b >= 0 ? 0 : g * (y * Math.Log(a));
}

/// <summary>
/// pow(tensor, k) for a constant k, as torch computes it: k = 2 and 3 as products, 0.5 as sqrt,
/// -1, -2 and -0.5 as reciprocals, other small integers by repeated squaring, anything else lane by
/// lane. Backward: 0 for k = 0, else g k a^(k-1).
/// </summary>
internal static class PowConstKernel
{
    // Inlined into the generated loops, where k is a constant, so the switch folds away; the lane-by-lane
    // case is a call of its own (its stackalloc would keep the whole method from inlining: measured, a
    // call per vector cost x^3 a fifth of its activation time).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Value(V a, double k)
    {
        switch (k)
        {
            case 0: return V.One;
            case 1: return a;
            case 2: return a * a;
            case 3: return a * a * a;
            case 0.5: return VX.Sqrt(a);
            case -0.5: return V.One / VX.Sqrt(a);
            case -1: return V.One / a;
            case -2: return V.One / (a * a);
        }
        if (k == Math.Floor(k) && Math.Abs(k) <= 64)
        {
            int n = (int)Math.Abs(k);
            V result = V.One, p = a;
            while (n > 0)
            {
                if ((n & 1) != 0) result *= p;
                p *= p;
                n >>= 1;
            }
            return k < 0 ? V.One / result : result;
        }
        return Lanewise(a, (float)k);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static V Lanewise(V a, float k)
    {
        Span<float> r = stackalloc float[V.Count];
        for (int i = 0; i < V.Count; i++) r[i] = MathF.Pow(a.GetElement(i), k);
        return VX.Create<float>(r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Grad(V a, V g, double k) => k == 0 ? V.Zero : g * (K.C((float)k) * Value(a, k - 1));

    public static double Value(double a, double k) => k switch
    {
        2 => a * a,
        3 => a * a * a,
        0.5 => Math.Sqrt(a),
        _ => Math.Pow(a, k),
    };

    public static double Grad(double a, double g, double k) => k == 0 ? 0 : g * (k * Value(a, k - 1));
}
