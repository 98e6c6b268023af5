using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace EvoAct.Training.Activations;

/// <summary>
/// y = x * sigmoid(beta_c * x) with a per-channel beta, as one custom autograd function with
/// hand-written CPU kernels. Composed, this shape costs three elementwise kernels forward and about
/// seven backward plus a reduction for d/dbeta, each a full pass over memory; here forward is one
/// pass (read x, write y) and backward is one pass (read x and the incoming gradient, write
/// d/dx, accumulate d/dbeta per channel) — the memory traffic of the built-in SiLU.
///
/// The derivatives use s = sigmoid(z), z = beta * x, recomputed in backward (an exp per element is
/// cheaper than writing s in forward and reading it back):
///   dy/dx    = s + z s (1 - s) = s (1 + z (1 - s))
///   dy/dbeta = x^2 s (1 - s)
/// Neither divides by beta, so beta = 0 (y = x / 2) is exact, not a special case.
///
/// Determinism: work units (planes, or fixed-size groups of rows for channels-last) are split over
/// threads, but every unit's d/dbeta partial sums are computed in a fixed order into their own
/// slots, and the slots are added up in a fixed order afterwards, so the result does not depend on
/// the scheduling or the thread count. Threads: libtorch's own OpenMP team (<see cref="OpenMp"/>).
///
/// Only CPU tensors of float32/float64 take this path (see <see cref="Supports"/>); anything else
/// runs the composed ops.
/// </summary>
public static class FusedSwish
{
    static long forwardCalls, backwardCalls;

    /// <summary>How many times the fused forward and backward kernels ran (tests prove the path is taken).</summary>
    public static long ForwardCalls => Interlocked.Read(ref forwardCalls);
    public static long BackwardCalls => Interlocked.Read(ref backwardCalls);

    /// <summary>Whether the fused kernels handle this input: CPU, float32 or float64, at least (N, C).</summary>
    public static bool Supports(Tensor x, Tensor beta) =>
        x.device_type == DeviceType.CPU && beta.device_type == DeviceType.CPU &&
        (x.dtype == ScalarType.Float32 || x.dtype == ScalarType.Float64) && beta.dtype == x.dtype &&
        x.dim() >= 2 && beta.dim() == 1 && beta.shape[0] == x.shape[1];

    /// <summary>x * sigmoid(beta * x), beta of shape [C] broadcast over dim 1 of x.</summary>
    public static Tensor Apply(Tensor x, Tensor beta) => Function.apply(x, beta);

    sealed class Function : autograd.SingleTensorFunction<Function>
    {
        public override string Name => "FusedSwishBackward";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            // Channels-last (N, C, H, W) stays as it is: the rows kernels handle it, and a copy to
            // NCHW would cost more than the activation. Any other layout is made contiguous.
            var input = (Tensor)vars[0];
            var x = Kernels<float>.RowsLayout(input) ? input.alias() : input.contiguous();
            var beta = ((Tensor)vars[1]).contiguous();
            var y = empty_like(x);   // preserves x's layout
            if (x.dtype == ScalarType.Float32) Kernels<float>.Forward(x, beta, y);
            else Kernels<double>.Forward(x, beta, y);
            ctx.save_for_backward([x, beta]);
            Interlocked.Increment(ref forwardCalls);
            return y;
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var saved = ctx.get_saved_variables();
            Tensor x = saved[0], beta = saved[1];
            // The incoming gradient in x's layout (a no-op when it already is).
            var g = SameLayout(gradOutput, x);
            var gx = empty_like(x);
            var gb = empty_like(beta);
            if (x.dtype == ScalarType.Float32) Kernels<float>.Backward(x, beta, g, gx, gb);
            else Kernels<double>.Backward(x, beta, g, gx, gb);
            Interlocked.Increment(ref backwardCalls);
            return [gx, gb];
        }

        static Tensor SameLayout(Tensor t, Tensor like)
        {
            if (t.stride().SequenceEqual(like.stride())) return t.alias();
            var copy = empty_like(like);
            copy.copy_(t);
            return copy;
        }
    }

    /// <summary>The loops, for float and double, on Vector256.</summary>
    [SkipLocalsInit]
    static unsafe class Kernels<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        /// <summary>
        /// The first element of a contiguous or channels-last tensor (TorchSharp's span refuses
        /// non-contiguous tensors, so a channels-last one is viewed as the contiguous NHWC it is).
        /// </summary>
        static T* Data(Tensor t)
        {
            if (t.is_contiguous()) return (T*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));
            using var nhwc = t.permute(0, 2, 3, 1);
            return (T*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(nhwc.bytes));
        }

        /// <summary>
        /// Two layouts. Planes: contiguous (N, C, ...), N*C runs of H*W values that share one beta.
        /// Rows: channels-last (N, C, H, W), or contiguous (N, C) — N*H*W runs of C values, one beta
        /// per value. Only the memory order differs; the arithmetic per element is the same.
        /// </summary>
        internal static bool RowsLayout(Tensor x) =>
            x.dim() == 2 ? x.is_contiguous() : x.dim() == 4 && !x.is_contiguous() && Models.MemoryFormat.IsChannelsLast(x);

        /// <summary>Rows per work unit in the rows layout: a function of the shape only, never of the thread count, so sums are deterministic.</summary>
        static long RowsPerUnit(long channels) => Math.Max(1, 4096 / channels);

        public static void Forward(Tensor x, Tensor beta, Tensor y)
        {
            long n = x.shape[0], c = x.shape[1], total = x.numel();
            if (total == 0) return;
            T* px = Data(x), pb = Data(beta), py = Data(y);
            if (RowsLayout(x))
            {
                long rows = total / c, per = RowsPerUnit(c);
                Run((rows + per - 1) / per, per * c, u =>
                {
                    for (long r = u * per, end = Math.Min(rows, r + per); r < end; r++)
                        ForwardSpan(px + r * c, py + r * c, c, pb, 1);
                });
                return;
            }
            long inner = total / (n * c);
            Run(n * c, inner, p => ForwardSpan(px + p * inner, py + p * inner, inner, pb + p % c, 0));
        }

        public static void Backward(Tensor x, Tensor beta, Tensor g, Tensor gx, Tensor gb)
        {
            long n = x.shape[0], c = x.shape[1], total = x.numel();
            T* pb = Data(beta), pgb = Data(gb);
            if (total == 0)
            {
                for (long j = 0; j < c; j++) pgb[j] = T.Zero;
                return;
            }
            T* px = Data(x), pg = Data(g), pgx = Data(gx);
            // Every work unit writes its own d/dbeta partial sums, and they are added up in a fixed
            // order afterwards: deterministic whatever the threads did.
            if (RowsLayout(x))
            {
                long rows = total / c, per = RowsPerUnit(c), units = (rows + per - 1) / per;
                var partial = new double[units * c];
                Run(units, per * c, u =>
                {
                    var acc = new T[c];
                    fixed (T* pa = acc)
                    {
                        for (long r = u * per, end = Math.Min(rows, r + per); r < end; r++)
                            BackwardSpan(px + r * c, pg + r * c, pgx + r * c, c, pb, 1, pa);
                    }
                    for (long j = 0; j < c; j++) partial[u * c + j] = double.CreateChecked(acc[j]);
                });
                for (long j = 0; j < c; j++)
                {
                    double sum = 0;
                    for (long u = 0; u < units; u++) sum += partial[u * c + j];
                    pgb[j] = T.CreateChecked(sum);
                }
                return;
            }
            long inner = total / (n * c);
            var planeSums = new double[n * c];
            Run(n * c, inner, p => planeSums[p] = BackwardSpan(px + p * inner, pg + p * inner, pgx + p * inner, inner, pb + p % c, 0, null));
            for (long j = 0; j < c; j++)
            {
                double sum = 0;
                for (long p = j; p < n * c; p += c) sum += planeSums[p];
                pgb[j] = T.CreateChecked(sum);
            }
        }

        /// <summary>
        /// Splits the work units into contiguous ranges over libtorch's threads, but only when there
        /// is enough work: a tiny tensor costs more to dispatch than to compute.
        /// </summary>
        static void Run(long units, long perUnit, Action<long> unit)
        {
            int threads = (int)Math.Min(Threads, units);
            if (threads <= 1 || units * perUnit < 32_768)
            {
                for (long u = 0; u < units; u++) unit(u);
                return;
            }
            OpenMp.For(units, threads, unit);
        }

        // A span is done in blocks: first e = exp(-|beta x|) for the block into a small stack
        // buffer (a loop of its own, so that the JIT inlines the exp polynomial there; inlined into
        // the bigger loops below it ran out of inlining budget and became a call with spills), then
        // the rest of the arithmetic reading e back from L1. Beta is b[0] for the whole span when
        // bStep is 0 (planes) and b[i] for element i when bStep is 1 (rows).
        const int Block = 512;

        static void ForwardSpan(T* x, T* y, long n, T* b, int bStep)
        {
            if (typeof(T) == typeof(float) && Vector256.IsHardwareAccelerated)
            {
                if (Vector512.IsHardwareAccelerated) Float512.ForwardSpan((float*)x, (float*)y, n, (float*)b, bStep);
                else Float.ForwardSpan((float*)x, (float*)y, n, (float*)b, bStep);
                return;
            }
            T* e = stackalloc T[Block];
            for (long start = 0; start < n; start += Block)
            {
                int m = (int)Math.Min(Block, n - start);
                T* xs = x + start, ys = y + start, bs = b + start * bStep;
                ExpNegAbs(xs, bs, bStep, e, m);
                int i = 0;
                if (Vector256.IsHardwareAccelerated)
                {
                    var vb0 = Vector256.Create(bs[0]);
                    for (; i <= m - Vector256<T>.Count; i += Vector256<T>.Count)
                    {
                        var vb = bStep == 0 ? vb0 : Vector256.Load(bs + i);
                        var vx = Vector256.Load(xs + i);
                        var (s, _) = Sigmoid(vx * vb, Vector256.Load(e + i));
                        (vx * s).Store(ys + i);
                    }
                }
                for (; i < m; i++) ys[i] = xs[i] * Sigmoid(bs[i * bStep] * xs[i], e[i]).S;
            }
        }

        /// <summary>
        /// Writes d/dx into gx. d/dbeta contributions g x^2 s (1 - s): for bStep 0 returned as their
        /// sum (in double); for bStep 1 added element by element into acc.
        /// </summary>
        static double BackwardSpan(T* x, T* g, T* gx, long n, T* b, int bStep, T* acc)
        {
            if (typeof(T) == typeof(float) && Vector256.IsHardwareAccelerated)
                return Vector512.IsHardwareAccelerated
                    ? Float512.BackwardSpan((float*)x, (float*)g, (float*)gx, n, (float*)b, bStep, (float*)acc)
                    : Float.BackwardSpan((float*)x, (float*)g, (float*)gx, n, (float*)b, bStep, (float*)acc);
            T* e = stackalloc T[Block];
            double sum = 0;
            for (long start = 0; start < n; start += Block)
            {
                int m = (int)Math.Min(Block, n - start);
                T* xs = x + start, gs = g + start, gxs = gx + start, bs = b + start * bStep, accs = acc + start * bStep;
                ExpNegAbs(xs, bs, bStep, e, m);
                int i = 0;
                if (Vector256.IsHardwareAccelerated)
                {
                    var vb0 = Vector256.Create(bs[0]);
                    var vsum = Vector256<T>.Zero;
                    for (; i <= m - Vector256<T>.Count; i += Vector256<T>.Count)
                    {
                        var vb = bStep == 0 ? vb0 : Vector256.Load(bs + i);
                        var vx = Vector256.Load(xs + i);
                        var vg = Vector256.Load(gs + i);
                        var z = vx * vb;
                        var (s, ds) = Sigmoid(z, Vector256.Load(e + i));
                        (vg * (s + z * ds)).Store(gxs + i);    // s + z s (1 - s)
                        var db = vg * vx * vx * ds;            // x^2 s (1 - s)
                        if (bStep == 0) vsum += db;
                        else (Vector256.Load(accs + i) + db).Store(accs + i);
                    }
                    for (int k = 0; k < Vector256<T>.Count; k++) sum += double.CreateChecked(vsum.GetElement(k));
                }
                for (; i < m; i++)
                {
                    T bi = bs[i * bStep];
                    T z = xs[i] * bi;
                    var (s, ds) = Sigmoid(z, e[i]);
                    gxs[i] = gs[i] * (s + z * ds);
                    T db = gs[i] * xs[i] * xs[i] * ds;
                    if (bStep == 0) sum += double.CreateChecked(db);
                    else accs[i] += db;
                }
            }
            return sum;
        }

        /// <summary>
        /// sigmoid(z) and sigmoid'(z) = s (1 - s) from e = exp(-|z|) in (0, 1], without overflow or
        /// cancellation: with r = 1 / (1 + e), the larger of s and 1 - s is r and the smaller is e r,
        /// so s (1 - s) = e r^2 for either sign of z.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static (Vector256<T> S, Vector256<T> Ds) Sigmoid(Vector256<T> z, Vector256<T> e)
        {
            var r = Vector256<T>.One / (Vector256<T>.One + e);
            var er = e * r;
            return (Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(z, Vector256<T>.Zero), r, er), er * r);
        }

        static (T S, T Ds) Sigmoid(T z, T e)
        {
            T r = T.One / (T.One + e);
            T er = e * r;
            return (z >= T.Zero ? r : er, er * r);
        }

        /// <summary>e[i] = exp(-|b[i * bStep] x[i]|) for i &lt; m.</summary>
        static void ExpNegAbs(T* x, T* b, int bStep, T* e, int m)
        {
            int i = 0;
            if (typeof(T) == typeof(float) && Vector256.IsHardwareAccelerated)
            {
                float* xf = (float*)x, bf = (float*)b, ef = (float*)e;
                var vb0 = Vector256.Create(bf[0]);
                for (; i <= m - Vector256<float>.Count; i += Vector256<float>.Count)
                {
                    var vb = bStep == 0 ? vb0 : Vector256.Load(bf + i);
                    ExpF(-Vector256.Abs(Vector256.Load(xf + i) * vb)).Store(ef + i);
                }
            }
            else if (typeof(T) == typeof(double) && Vector256.IsHardwareAccelerated)
            {
                // float64 (the tests' precision) takes the runtime's exp; speed matters only for float32.
                double* xd = (double*)x, bd = (double*)b, ed = (double*)e;
                var vb0 = Vector256.Create(bd[0]);
                for (; i <= m - Vector256<double>.Count; i += Vector256<double>.Count)
                {
                    var vb = bStep == 0 ? vb0 : Vector256.Load(bd + i);
                    Vector256.Exp(-Vector256.Abs(Vector256.Load(xd + i) * vb)).Store(ed + i);
                }
            }
            for (; i < m; i++) e[i] = T.Exp(-T.Abs(b[i * bStep] * x[i]));
        }
    }

    /// <summary>
    /// The float32 spans (the training precision), one pass each with the exp inlined. Same maths as
    /// the generic kernels; forward uses x / (1 + e^-z) directly (e^-z = inf for very negative z gives
    /// x / inf = 0, no NaN), backward the overflow-free form of <see cref="Kernels{T}"/>.
    /// </summary>
    [SkipLocalsInit]
    static unsafe class Float
    {
        public static void ForwardSpan(float* x, float* y, long n, float* b, int bStep)
        {
            long i = 0;
            var one = Vector256<float>.One;
            var vb0 = Vector256.Create(b[0]);
            if (bStep == 0)
                for (; i <= n - 8; i += 8)
                {
                    var vx = Vector256.Load(x + i);
                    (vx / (one + ExpF(-(vx * vb0)))).Store(y + i);
                }
            else
                for (; i <= n - 8; i += 8)
                {
                    var vx = Vector256.Load(x + i);
                    (vx / (one + ExpF(-(vx * Vector256.Load(b + i))))).Store(y + i);
                }
            for (; i < n; i++) y[i] = x[i] / (1f + MathF.Exp(-(x[i] * b[i * bStep])));
        }

        public static double BackwardSpan(float* x, float* g, float* gx, long n, float* b, int bStep, float* acc)
        {
            long i = 0;
            double sum = 0;
            var vsum = Vector256<float>.Zero;
            var vb0 = Vector256.Create(b[0]);
            if (bStep == 0)
                for (; i <= n - 8; i += 8)
                    vsum += Step(x + i, g + i, gx + i, vb0);
            else
                for (; i <= n - 8; i += 8)
                    (Vector256.Load(acc + i) + Step(x + i, g + i, gx + i, Vector256.Load(b + i))).Store(acc + i);
            sum = Vector256.Sum(vsum);   // a shuffle tree: a chain of 8 scalar adds cost as much as a short plane's arithmetic
            for (; i < n; i++)
            {
                float z = x[i] * b[i * bStep];
                float e = MathF.Exp(-MathF.Abs(z)), r = 1f / (1f + e), er = e * r, s = z >= 0 ? r : er, ds = er * r;
                gx[i] = g[i] * (s + z * ds);
                float db = g[i] * x[i] * x[i] * ds;
                if (bStep == 0) sum += db;
                else acc[i] += db;
            }
            return sum;
        }

        /// <summary>Writes 8 values of d/dx and returns their g x^2 s (1 - s).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<float> Step(float* x, float* g, float* gx, Vector256<float> vb)
        {
            var vx = Vector256.Load(x);
            var vg = Vector256.Load(g);
            var z = vx * vb;
            var e = ExpNonPositive(-Vector256.Abs(z));
            var r = Vector256<float>.One / (Vector256<float>.One + e);
            var er = e * r;
            var s = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(z, Vector256<float>.Zero), r, er);
            var ds = er * r;
            (vg * (s + z * ds)).Store(gx);
            return vg * vx * vx * ds;
        }
    }

    /// <summary>
    /// <see cref="ExpF(Vector256{float})"/> for x &lt;= 0, as backward needs for exp(-|beta x|): no
    /// overflow to handle, and a NaN lane need not survive (x, and so d/dx and d/dbeta, carry it).
    /// Bit-for-bit the same as ExpF on x &lt;= 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> ExpNonPositive(Vector256<float> x)
    {
        var lo = Vector256.Create(-104f);
        return Vector256.ConditionalSelect(Vector256.LessThan(x, lo), Vector256<float>.Zero, ExpCore(Vector256.MaxNative(x, lo)));
    }

    /// <summary>
    /// e^x for float32 lanes, |error| about 1 ulp (Cephes' expf polynomial, FMA Horner), with the
    /// subnormal range and underflow to 0 right. Vector256.Exp(float) computes in double and narrows,
    /// about twice the work; this is the arithmetic half of the fused kernels' cost.
    /// NaN stays NaN; -inf and anything below -104 give 0; above 88.72 gives +inf.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> ExpF(Vector256<float> x)
    {
        var hi = Vector256.Create(88.72283935546875f);
        var lo = Vector256.Create(-104f);
        var result = ExpCore(Vector256.MinNative(Vector256.MaxNative(x, lo), hi));   // NaN handled by the final selects
        result = Vector256.ConditionalSelect(Vector256.LessThan(x, lo), Vector256<float>.Zero, result);
        result = Vector256.ConditionalSelect(Vector256.GreaterThan(x, hi), Vector256.Create(float.PositiveInfinity), result);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), result, x);    // NaN in, NaN out
    }

    /// <summary>e^xc for xc in [-104, 88.72] (the callers clamp): the polynomial and the scaling.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> ExpCore(Vector256<float> xc)
    {
        // x = n ln2 + r, |r| <= ln2 / 2; ln2 split in two so that n * ln2hi is exact.
        var n = Vector256.Round(xc * Vector256.Create(1.44269504088896341f));
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-0.693359375f), xc);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(2.12194440e-4f), r);
        var p = Vector256.Create(1.9875691500E-4f);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.3981999507E-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(8.3334519073E-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(4.1665795894E-2f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.6666665459E-1f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(5.0000001201E-1f));
        p = Vector256.FusedMultiplyAdd(p, r * r, r) + Vector256<float>.One;
        // 2^n as 2^h * 2^(n-h), both normal for n in [-150, 128], so subnormal results round once, correctly scaled.
        var ni = Vector256.ConvertToInt32Native(n);              // n is integral and in range: no saturation needed
        var h = Vector256.ShiftRightArithmetic(ni, 1);
        var bias = Vector256.Create(127);
        return p * Vector256.ShiftLeft(h + bias, 23).AsSingle() * Vector256.ShiftLeft(ni - h + bias, 23).AsSingle();
    }

    [SkipLocalsInit]
    static unsafe class Float512
    {
        public static void ForwardSpan(float* x, float* y, long n, float* b, int bStep)
        {
            long i = 0;
            var one = Vector512<float>.One;
            var vb0 = Vector512.Create(b[0]);
            if (bStep == 0)
                for (; i <= n - 16; i += 16)
                {
                    var vx = Vector512.Load(x + i);
                    (vx / (one + ExpF(-(vx * vb0)))).Store(y + i);
                }
            else
                for (; i <= n - 16; i += 16)
                {
                    var vx = Vector512.Load(x + i);
                    (vx / (one + ExpF(-(vx * Vector512.Load(b + i))))).Store(y + i);
                }
            for (; i < n; i++) y[i] = x[i] / (1f + MathF.Exp(-(x[i] * b[i * bStep])));
        }

        public static double BackwardSpan(float* x, float* g, float* gx, long n, float* b, int bStep, float* acc)
        {
            long i = 0;
            double sum = 0;
            var vsum = Vector512<float>.Zero;
            var vb0 = Vector512.Create(b[0]);
            if (bStep == 0)
                for (; i <= n - 16; i += 16)
                    vsum += Step(x + i, g + i, gx + i, vb0);
            else
                for (; i <= n - 16; i += 16)
                    (Vector512.Load(acc + i) + Step(x + i, g + i, gx + i, Vector512.Load(b + i))).Store(acc + i);
            sum = Vector512.Sum(vsum);   // a shuffle tree: a chain of 16 scalar adds cost as much as an 8x8 plane's arithmetic
            for (; i < n; i++)
            {
                float z = x[i] * b[i * bStep];
                float e = MathF.Exp(-MathF.Abs(z)), r = 1f / (1f + e), er = e * r, s = z >= 0 ? r : er, ds = er * r;
                gx[i] = g[i] * (s + z * ds);
                float db = g[i] * x[i] * x[i] * ds;
                if (bStep == 0) sum += db;
                else acc[i] += db;
            }
            return sum;
        }

        /// <summary>Writes 16 values of d/dx and returns their g x^2 s (1 - s).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector512<float> Step(float* x, float* g, float* gx, Vector512<float> vb)
        {
            var vx = Vector512.Load(x);
            var vg = Vector512.Load(g);
            var z = vx * vb;
            var e = ExpNonPositive(-Vector512.Abs(z));
            var r = Vector512<float>.One / (Vector512<float>.One + e);
            var er = e * r;
            var s = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(z, Vector512<float>.Zero), r, er);
            var ds = er * r;
            (vg * (s + z * ds)).Store(gx);
            return vg * vx * vx * ds;
        }
    }

    /// <summary>
    /// <see cref="ExpF(Vector512{float})"/> for x &lt;= 0, as backward needs for exp(-|beta x|): no
    /// overflow to handle, and a NaN lane need not survive (x, and so d/dx and d/dbeta, carry it).
    /// Bit-for-bit the same as ExpF on x &lt;= 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> ExpNonPositive(Vector512<float> x)
    {
        var lo = Vector512.Create(-104f);
        return Vector512.ConditionalSelect(Vector512.LessThan(x, lo), Vector512<float>.Zero, ExpCore(Vector512.MaxNative(x, lo)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> ExpF(Vector512<float> x)
    {
        var hi = Vector512.Create(88.72283935546875f);
        var lo = Vector512.Create(-104f);
        var result = ExpCore(Vector512.MinNative(Vector512.MaxNative(x, lo), hi));   // NaN handled by the final selects
        result = Vector512.ConditionalSelect(Vector512.LessThan(x, lo), Vector512<float>.Zero, result);
        result = Vector512.ConditionalSelect(Vector512.GreaterThan(x, hi), Vector512.Create(float.PositiveInfinity), result);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), result, x);    // NaN in, NaN out
    }

    /// <summary>e^xc for xc in [-104, 88.72] (the callers clamp): the polynomial and the scaling.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> ExpCore(Vector512<float> xc)
    {
        // x = n ln2 + r, |r| <= ln2 / 2; ln2 split in two so that n * ln2hi is exact.
        var n = Vector512.Round(xc * Vector512.Create(1.44269504088896341f));
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-0.693359375f), xc);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(2.12194440e-4f), r);
        var p = Vector512.Create(1.9875691500E-4f);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.3981999507E-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073E-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894E-2f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459E-1f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201E-1f));
        p = Vector512.FusedMultiplyAdd(p, r * r, r) + Vector512<float>.One;
        // 2^n as 2^h * 2^(n-h), both normal for n in [-150, 128], so subnormal results round once, correctly scaled.
        var ni = Vector512.ConvertToInt32Native(n);              // n is integral and in range: no saturation needed
        var h = Vector512.ShiftRightArithmetic(ni, 1);
        var bias = Vector512.Create(127);
        return p * Vector512.ShiftLeft(h + bias, 23).AsSingle() * Vector512.ShiftLeft(ni - h + bias, 23).AsSingle();
    }

    /// <summary>At most this many threads for the kernels; 0 (the default): libtorch's intra-op thread count.</summary>
    public static int MaxThreads { get; set; }

    static int Threads => MaxThreads > 0 ? Math.Min(MaxThreads, torch.get_num_threads()) : torch.get_num_threads();
}
