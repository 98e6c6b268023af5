using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

#if WIDE
using V = System.Runtime.Intrinsics.Vector512<float>;
using VX = System.Runtime.Intrinsics.Vector512;
namespace EvoAct.Training.Activations.Compiler.Wide;
#else
using V = System.Runtime.Intrinsics.Vector256<float>;
using VX = System.Runtime.Intrinsics.Vector256;
namespace EvoAct.Training.Activations.Compiler;
#endif

/// <summary>
/// float32 math over 8 lanes for the compiled activations: Cephes' single-precision polynomials with
/// FMA Horner steps. Vector256.Exp/Sin/... (and TensorPrimitives) compute float in double or fall
/// back to scalar code for several of these, which costs 2-5x as much; the kernels are arithmetic-
/// bound, so this is where their time goes. Accuracy, measured against double over dense grids
/// (VectorMathTests states the bound it checks): within a few ulp for every function, and the edge
/// cases of the composed path: NaN in gives NaN out, exp and cosh overflow to inf where float32 does,
/// log(0) = -inf, log of a negative number and sqrt of one are NaN.
/// Arguments of sin and cos above 8192 in magnitude (where the 3-part Cody-Waite reduction stops
/// being exact) are computed lane by lane with MathF; activations almost never see them.
/// </summary>
internal static class VectorMath
{
    static V C(float v) => VX.Create(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static V Fma(V a, V b, V c) => VX.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static V Select(V mask, V a, V b) => VX.ConditionalSelect(mask, a, b);

    /// <summary>Lanes that are NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static V IsNaN(V x) => ~VX.Equals(x, x);

    /// <summary>+1, -1 by the sign bit of x (also for -0), applied by xor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static V SignBit(V x) => x & C(-0f);

    /// <summary>e^x (about 1 ulp): NaN stays NaN; below -104 gives 0; above 88.72 gives +inf.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Exp(V x)
    {
        var hi = C(88.72283935546875f);
        var result = ExpCore(VX.MinNative(hi, ClampBelow(x)), 0);
        return Select(VX.GreaterThan(x, hi), C(float.PositiveInfinity), result);
    }

    /// <summary>
    /// max(x, -104), NaN staying NaN: x86's max and min return their second operand when either is NaN,
    /// so the NaN goes on through the clamps and the polynomial, and no select is needed for it. Below
    /// -104 the exp rounds to 0 by itself (e^-104 is under half the smallest subnormal), so no select
    /// for underflow either.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static V ClampBelow(V x) => VX.MaxNative(C(-104f), x);

    /// <summary>
    /// e^x for x &lt;= 0 or NaN, bit for bit <see cref="Exp"/> there, without its overflow select (a
    /// sigmoid's e^-|x|; the fused Swish of earlier versions took the same shortcut).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static V ExpNonPositive(V x) => ExpCore(ClampBelow(x), 0);

    /// <summary>
    /// e^xc * 2^-shift for xc in [-104, 89.5] (callers clamp): the polynomial and the scaling, with
    /// the scale split in two factors that are both normal, so subnormal results round once and
    /// e^x / 2 stays finite up to x = 89.41 (cosh, sinh).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static V ExpCore(V xc, int shift)
    {
        // x = n ln2 + r, |r| <= ln2 / 2; ln2 split in two so that n * ln2hi is exact.
        var n = VX.Round(xc * C(1.44269504088896341f));
        var r = Fma(n, C(-0.693359375f), xc);
        r = Fma(n, C(2.12194440e-4f), r);
        var p = C(1.9875691500E-4f);
        p = Fma(p, r, C(1.3981999507E-3f));
        p = Fma(p, r, C(8.3334519073E-3f));
        p = Fma(p, r, C(4.1665795894E-2f));
        p = Fma(p, r, C(1.6666665459E-1f));
        p = Fma(p, r, C(5.0000001201E-1f));
        p = Fma(p, r * r, r) + V.One;
        return Scale(p, n, shift);
    }

    /// <summary>
    /// p * 2^(n - shift) for the exp polynomial p in [0.7, 1.42] and an integral n: AVX-512's
    /// vscalefps in one instruction where the machine has it, else <see cref="ScalePortable"/>. Both
    /// round once, so they agree bit for bit, subnormal and overflowing results included (tested on a
    /// dense grid); vscalefps saves 7 of an exp's 20 vector instructions (a sigmoid and its derivative
    /// over 4,096 floats: 5.74 against 7.03 ms on a Xeon). The 8-lane loops take it too where
    /// AVX-512VL is there, so both widths compute alike on any machine.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static V Scale(V p, V n, int shift)
    {
#if WIDE
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
            return System.Runtime.Intrinsics.X86.Avx512F.Scale(p, shift == 0 ? n : n - C(shift));
#else
        if (System.Runtime.Intrinsics.X86.Avx512F.VL.IsSupported)
            return System.Runtime.Intrinsics.X86.Avx512F.VL.Scale(p, shift == 0 ? n : n - C(shift));
#endif
        return ScalePortable(p, n, shift);
    }

    /// <summary>The same with the scale split in two factors that are both normal, so that a subnormal result rounds once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static V ScalePortable(V p, V n, int shift)
    {
        var ni = VX.ConvertToInt32Native(n) - VX.Create(shift);
        var h = VX.ShiftRightArithmetic(ni, 1);
        var bias = VX.Create(127);
        return p * VX.ShiftLeft(h + bias, 23).AsSingle() * VX.ShiftLeft(ni - h + bias, 23).AsSingle();
    }

    /// <summary>e^|x| / 2 for cosh and sinh: finite up to |x| = 89.41, +inf above, NaN for NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static V HalfExpAbs(V ax)
    {
        var hi = C(89.5f);
        var result = ExpCore(VX.MinNative(ax, hi), 1);
        result = Select(VX.GreaterThan(ax, hi), C(float.PositiveInfinity), result);
        return Select(IsNaN(ax), ax, result);
    }

    /// <summary>Natural log (about 1 ulp): 0 gives -inf, negatives NaN, +inf stays +inf, subnormals handled.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Log(V x)
    {
        // Subnormals: scale by 2^23 first.
        var tiny = VX.LessThan(x, C(1.17549435e-38f));
        var xs = Select(tiny, x * C(8388608f), x);
        var bits = xs.AsInt32();
        var e = VX.ConvertToSingle((VX.ShiftRightLogical(bits, 23) & VX.Create(0xff)) - VX.Create(126));
        e -= tiny & C(23f);
        var m = ((bits & VX.Create(0x007fffff)) | VX.Create(0x3f000000)).AsSingle();   // [0.5, 1)
        var small = VX.LessThan(m, C(0.707106781186547524f));
        e -= small & V.One;
        m = Select(small, m + m, m) - V.One;
        var z = m * m;
        var y = C(7.0376836292E-2f);
        y = Fma(y, m, C(-1.1514610310E-1f));
        y = Fma(y, m, C(1.1676998740E-1f));
        y = Fma(y, m, C(-1.2420140846E-1f));
        y = Fma(y, m, C(1.4249322787E-1f));
        y = Fma(y, m, C(-1.6668057665E-1f));
        y = Fma(y, m, C(2.0000714765E-1f));
        y = Fma(y, m, C(-2.4999993993E-1f));
        y = Fma(y, m, C(3.3333331174E-1f));
        y = y * m * z;
        y = Fma(e, C(-2.12194440e-4f), y);
        y = Fma(z, C(-0.5f), y);
        var r = Fma(e, C(0.693359375f), m + y);
        r = Select(VX.Equals(x, V.Zero), C(float.NegativeInfinity), r);
        r = Select(VX.Equals(x, C(float.PositiveInfinity)), x, r);
        return Select(VX.LessThan(x, V.Zero) | IsNaN(x), C(float.NaN), r);
    }

    /// <summary>
    /// log(1 + u) for u &gt;= 0, accurate for small u: log(w) corrected by the rounding error of
    /// w = 1 + u, ((w - 1) - u) / w. Takes r = 1 / w, which softplus' derivative u / (1 + u) shares.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static V Log1pNonNegative(V u, V w, V r) => Log(w) - ((w - V.One) - u) * r;

    /// <summary>sin and cos together (they share the range reduction).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (V Sin, V Cos) SinCos(V x)
    {
        var ax = VX.Abs(x);
        var j = VX.ConvertToInt32Native(ax * C(1.27323954473516f));   // 4 / pi
        j = (j + VX.Create(1)) & VX.Create(~1);
        var y = VX.ConvertToSingle(j);
        var z = Fma(y, C(-0.78515625f), ax);
        z = Fma(y, C(-2.4187564849853515625e-4f), z);
        z = Fma(y, C(-3.77489497744594108e-8f), z);
        var zz = z * z;
        var c = C(2.443315711809948E-005f);
        c = Fma(c, zz, C(-1.388731625493765E-003f));
        c = Fma(c, zz, C(4.166664568298827E-002f));
        c = Fma(c * zz, zz, Fma(zz, C(-0.5f), V.One));
        var s = C(-1.9515295891E-4f);
        s = Fma(s, zz, C(8.3321608736E-3f));
        s = Fma(s, zz, C(-1.6666654611E-1f));
        s = Fma(s * zz, z, z);
        // Octant j in {0, 2, 4, 6}: sin = s, c, -s, -c and cos = c, -s, -c, s.
        var swap = VX.Equals(j & VX.Create(2), VX.Create(2)).AsSingle();
        var sinPart = Select(swap, c, s);
        var cosPart = Select(swap, s, c);
        var sinNeg = VX.ShiftLeft(j & VX.Create(4), 29).AsSingle();                        // j & 4 -> sign bit
        var cosNeg = VX.ShiftLeft((j + VX.Create(2)) & VX.Create(4), 29).AsSingle();
        var sin = sinPart ^ sinNeg ^ SignBit(x);
        var cos = cosPart ^ cosNeg;
        // Large or infinite arguments: lane by lane (NaN goes through the polynomials and stays NaN).
        if (VX.GreaterThanAny(ax, C(8192f)))
        {
            for (int i = 0; i < V.Count; i++)
            {
                float xi = x.GetElement(i);
                if (MathF.Abs(xi) > 8192f)
                {
                    sin = sin.WithElement(i, MathF.Sin(xi));
                    cos = cos.WithElement(i, MathF.Cos(xi));
                }
            }
        }
        return (sin, cos);
    }

    /// <summary>tanh: a polynomial below 0.625, 1 - 2 / (e^2|x| + 1) above (saturating to 1, never NaN for finite x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Tanh(V x)
    {
        var ax = VX.Abs(x);
        var zz = x * x;
        var p = C(-5.70498872745E-3f);
        p = Fma(p, zz, C(2.06390887954E-2f));
        p = Fma(p, zz, C(-5.37397155531E-2f));
        p = Fma(p, zz, C(1.33314422036E-1f));
        p = Fma(p, zz, C(-3.33332819422E-1f));
        var small = Fma(p * zz, x, x);
        var large = (V.One - C(2f) / (Exp(ax + ax) + V.One)) ^ SignBit(x);
        return Select(VX.GreaterThan(ax, C(0.625f)), large, small);
    }

    /// <summary>sinh: a polynomial up to |x| = 1, e^|x|/2 - 1/(4 (e^|x|/2)) above (cosh comes with it for one add).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Sinh(V x) => SinhCosh(x).Sinh;

    /// <summary>sinh and cosh from one e^|x|/2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (V Sinh, V Cosh) SinhCosh(V x)
    {
        var ax = VX.Abs(x);
        var zz = x * x;
        var p = C(2.03721912945E-4f);
        p = Fma(p, zz, C(8.33028376239E-3f));
        p = Fma(p, zz, C(1.66667160211E-1f));
        var small = Fma(p * zz, x, x);
        var h = HalfExpAbs(ax);
        var q = C(0.25f) / h;
        var sinh = Select(VX.GreaterThan(ax, V.One), (h - q) ^ SignBit(x), small);
        return (sinh, h + q);
    }

    /// <summary>cosh = e^|x|/2 + 1/(4 (e^|x|/2)): +inf above |x| = 89.41, as float32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Cosh(V x)
    {
        var h = HalfExpAbs(VX.Abs(x));
        return h + C(0.25f) / h;
    }

    /// <summary>asinh: a polynomial below 0.5, log(|x| + sqrt(x^2 + 1)), and log|x| + ln 2 above 1500.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Asinh(V x)
    {
        var ax = VX.Abs(x);
        var zz = x * x;
        var p = C(2.0122003309E-2f);
        p = Fma(p, zz, C(-4.2699340972E-2f));
        p = Fma(p, zz, C(7.4847586088E-2f));
        p = Fma(p, zz, C(-1.6666288134E-1f));
        var small = Fma(p * zz, ax, ax);
        var huge = VX.GreaterThan(ax, C(1500f));
        var arg = Select(huge, ax, ax + VX.Sqrt(Fma(ax, ax, V.One)));
        var large = Log(arg) + (huge & C(0.693147180559945309f));
        return Select(VX.LessThan(ax, C(0.5f)), small, large) ^ SignBit(x);
    }

    /// <summary>atan with Cephes' reduction to |x| &lt;= tan(pi/8); +-inf gives +-pi/2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Atan(V x)
    {
        var ax = VX.Abs(x);
        var big = VX.GreaterThan(ax, C(2.414213562373095f));
        var mid = VX.GreaterThan(ax, C(0.4142135623730950f)) & ~big;
        var t = Select(big, -V.One / ax, Select(mid, (ax - V.One) / (ax + V.One), ax));
        var y0 = Select(big, C(1.5707963267948966f), mid & C(0.7853981633974483f));
        var z = t * t;
        var p = C(8.05374449538e-2f);
        p = Fma(p, z, C(-1.38776856032E-1f));
        p = Fma(p, z, C(1.99777106478E-1f));
        p = Fma(p, z, C(-3.33329491539E-1f));
        return (y0 + Fma(p * z, t, t)) ^ SignBit(x);
    }

    /// <summary>erf: Cephes' odd polynomial below 1; above, 1 - erfc with Numerical Recipes' erfc (relative error 1.2e-7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Erf(V x)
    {
        var ax = VX.Abs(x);
        var zz = x * x;
        var p = C(7.853861353153693E-5f);
        p = Fma(p, zz, C(-8.010193625184903E-4f));
        p = Fma(p, zz, C(5.188327685732524E-3f));
        p = Fma(p, zz, C(-2.685381193529856E-2f));
        p = Fma(p, zz, C(1.128358514861418E-1f));
        p = Fma(p, zz, C(-3.761262582423300E-1f));
        p = Fma(p, zz, C(1.128379165726710E+0f));
        var small = x * p;
        var t = V.One / Fma(C(0.5f), ax, V.One);
        var q = C(0.17087277f);
        q = Fma(q, t, C(-0.82215223f));
        q = Fma(q, t, C(1.48851587f));
        q = Fma(q, t, C(-1.13520398f));
        q = Fma(q, t, C(0.27886807f));
        q = Fma(q, t, C(-0.18628806f));
        q = Fma(q, t, C(0.09678418f));
        q = Fma(q, t, C(0.37409196f));
        q = Fma(q, t, C(1.00002368f));
        q = Fma(q, t, C(-1.26551223f));
        var erfc = t * Exp(q - zz);
        var large = (V.One - erfc) ^ SignBit(x);
        return Select(VX.LessThan(ax, V.One), small, Select(IsNaN(x), x, large));
    }

    /// <summary>
    /// 1 / (1 + e^-x), from e = e^-|x| so that nothing overflows: with r = 1 / (1 + e), sigmoid is r
    /// for x &gt;= 0 and e r below (subnormal results stay accurate instead of flushing to 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Sigmoid(V x)
    {
        var e = ExpNonPositive(-VX.Abs(x));   // NaN for NaN, and so is the result (x >= 0 is false for it)
        var r = V.One / (V.One + e);
        return Select(VX.GreaterThanOrEqual(x, V.Zero), r, e * r);
    }

    /// <summary>torch's softplus (beta 1, threshold 20): x above 20, log1p(e^x) below.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Softplus(V x) => Softplus(x, out _);

    /// <summary>Softplus, and sigmoid(x) = e^x / (1 + e^x) for x &lt;= 20, its derivative, from the same exp and division.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Softplus(V x, out V sigmoid)
    {
        var e = Exp(VX.MinNative(x, C(20f)));   // MinNative turns NaN into 20: selected away below
        var w = V.One + e;
        var r = V.One / w;
        sigmoid = e * r;
        var below = Log1pNonNegative(e, w, r);
        return Select(VX.GreaterThan(x, C(20f)) | IsNaN(x), x, below);
    }

    /// <summary>sin(x)/x with sinc(0) = 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Sinc(V x, V sin) => Select(VX.Equals(x, V.Zero), V.One, sin / x);

    /// <summary>
    /// d sinc / dx = (x cos x - sin x) / x^2, and its Taylor series below |x| = 0.5, where the
    /// difference cancels (0 at x = 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V SincDerivative(V x, V sin, V cos)
    {
        var zz = x * x;
        var p = C(-1f / 3991680f);
        p = Fma(p, zz, C(1f / 45360f));
        p = Fma(p, zz, C(-1f / 840f));
        p = Fma(p, zz, C(1f / 30f));
        p = Fma(p, zz, C(-1f / 3f));
        var small = p * x;
        var large = Fma(x, cos, -sin) / zz;
        return Select(VX.LessThan(VX.Abs(x), C(0.5f)), small, large);
    }
}
