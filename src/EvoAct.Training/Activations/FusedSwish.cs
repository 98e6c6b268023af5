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
/// Determinism: planes (one (n, c) slice of H*W contiguous values) are split over threads, but every
/// plane's d/dbeta partial sum is computed in a fixed order into its own slot, and the slots are
/// summed over n in a fixed order afterwards, so the result does not depend on the scheduling.
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
            var x = ((Tensor)vars[0]).contiguous();
            var beta = ((Tensor)vars[1]).contiguous();
            var y = empty_like(x);
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
            var g = gradOutput.contiguous();
            var gx = empty_like(x);
            var gb = empty_like(beta);
            if (x.dtype == ScalarType.Float32) Kernels<float>.Backward(x, beta, g, gx, gb);
            else Kernels<double>.Backward(x, beta, g, gx, gb);
            Interlocked.Increment(ref backwardCalls);
            return [gx, gb];
        }
    }

    /// <summary>The loops, for float and double. Vector256 throughout: on these machines the
    /// 512-bit version measured no faster (the passes are bound by memory, not arithmetic).</summary>
    static unsafe class Kernels<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        static T* Data(Tensor t) => (T*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));

        /// <summary>Planes of a contiguous (N, C, ...) tensor: N*C runs of <c>inner</c> values, plane p in channel p % C.</summary>
        static (long Planes, long Inner, long Channels) Layout(Tensor x)
        {
            long n = x.shape[0], c = x.shape[1];
            return (n * c, c == 0 || n == 0 ? 0 : x.numel() / (n * c), c);
        }

        public static void Forward(Tensor x, Tensor beta, Tensor y)
        {
            var (planes, inner, channels) = Layout(x);
            T* px = Data(x), pb = Data(beta), py = Data(y);
            Run(planes, inner, p =>
            {
                long off = p * inner;
                ForwardPlane(px + off, py + off, inner, pb[p % channels]);
            });
        }

        public static void Backward(Tensor x, Tensor beta, Tensor g, Tensor gx, Tensor gb)
        {
            var (planes, inner, channels) = Layout(x);
            T* px = Data(x), pb = Data(beta), pg = Data(g), pgx = Data(gx), pgb = Data(gb);
            var partial = new double[planes];
            Run(planes, inner, p =>
            {
                long off = p * inner;
                partial[p] = BackwardPlane(px + off, pg + off, pgx + off, inner, pb[p % channels]);
            });
            // Fixed summation order over n for each channel: deterministic whatever the threads did.
            for (long c = 0; c < channels; c++)
            {
                double sum = 0;
                for (long p = c; p < planes; p += channels) sum += partial[p];
                pgb[c] = T.CreateChecked(sum);
            }
        }

        /// <summary>
        /// Splits the planes into contiguous ranges over libtorch's thread count, but only when there
        /// is enough work: a tiny tensor costs more to dispatch than to compute.
        /// </summary>
        static void Run(long planes, long inner, Action<long> plane)
        {
            int threads = Math.Min(Threads, (int)Math.Min(planes, int.MaxValue));
            if (threads <= 1 || planes * inner < 32_768)
            {
                for (long p = 0; p < planes; p++) plane(p);
                return;
            }
            long chunk = (planes + threads - 1) / threads;
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                long end = Math.Min(planes, (t + 1) * chunk);
                for (long p = t * chunk; p < end; p++) plane(p);
            });
        }

        static void ForwardPlane(T* x, T* y, long n, T b)
        {
            long i = 0;
            if (Vector256.IsHardwareAccelerated && n >= Vector256<T>.Count)
            {
                var vb = Vector256.Create(b);
                for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
                {
                    var vx = Vector256.Load(x + i);
                    // x * sigmoid(z) = x / (1 + e^-z): for z -> -inf, e^-z = inf and y = x / inf = 0 (x finite).
                    var e = Exp(-(vx * vb));
                    (vx / (Vector256<T>.One + e)).Store(y + i);
                }
            }
            for (; i < n; i++) y[i] = x[i] / (T.One + T.Exp(-(b * x[i])));
        }

        /// <summary>Writes d/dx into gx and returns this plane's sum of g * dy/dbeta (in double).</summary>
        static double BackwardPlane(T* x, T* g, T* gx, long n, T b)
        {
            long i = 0;
            double sum = 0;
            if (Vector256.IsHardwareAccelerated && n >= Vector256<T>.Count)
            {
                var vb = Vector256.Create(b);
                var one = Vector256<T>.One;
                var acc = Vector256<T>.Zero;
                for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
                {
                    var vx = Vector256.Load(x + i);
                    var vg = Vector256.Load(g + i);
                    var z = vx * vb;
                    var s = one / (one + Exp(-z));
                    var ds = s * (one - s);                    // sigmoid'(z), >= 0, no cancellation
                    (vg * (s + z * ds)).Store(gx + i);         // s + z s (1 - s)
                    acc += vg * vx * vx * ds;                  // x^2 s (1 - s)
                }
                for (int k = 0; k < Vector256<T>.Count; k++) sum += double.CreateChecked(acc.GetElement(k));
            }
            for (; i < n; i++)
            {
                T z = x[i] * b;
                T s = T.One / (T.One + T.Exp(-z));
                T ds = s * (T.One - s);
                gx[i] = g[i] * (s + z * ds);
                sum += double.CreateChecked(g[i] * x[i] * x[i] * ds);
            }
            return sum;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<T> Exp(Vector256<T> v)
        {
            if (typeof(T) == typeof(float)) return Vector256.Exp(v.As<T, float>()).As<float, T>();
            return Vector256.Exp(v.As<T, double>()).As<double, T>();
        }
    }

    /// <summary>libtorch's intra-op thread count (set from evoact.training.threads), read once per call site cheaply.</summary>
    static int Threads => torch.get_num_threads();
}
