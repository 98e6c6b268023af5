using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EvoAct.Search.Expressions;
using TorchSharp;
using static TorchSharp.torch;

namespace EvoAct.Training.Activations.Compiler;

/// <summary>
/// Any activation expression as one TorchSharp custom autograd function on CPU float32 (and
/// float64): <see cref="ActivationProgram"/> compiles it, <see cref="BlockInterpreter{T}"/> runs it.
/// Forward reads x once and writes y once; backward reads x and the incoming gradient once and
/// writes d/dx once, with d/dbeta per channel for every beta that reaches the output. Composed, the
/// same expression costs a pass over memory and a tensor per op forward, and about twice that
/// backward: that was 2-3x ReLU's step time for a typical candidate.
/// <para>
/// Nothing is generated per expression (the interpreter walks a small instruction list over
/// cache-sized blocks), so there is no code to cache or leak: a program is a few hundred bytes,
/// kept in a bounded cache so that the networks of one evaluation share one.
/// </para>
/// </summary>
public sealed class CompiledActivation
{
    internal ActivationProgram Program { get; }

    /// <summary>Calls of the compiled forward and backward through this instance, and the team size of the last parallel call.</summary>
    public CompiledActivationStats Stats { get; } = new();

    CompiledActivation(ActivationProgram program) => Program = program;

    /// <summary>Module beta indices that are inputs of the function (those that reach the output), in slot order.</summary>
    public IReadOnlyList<int> BetaInputs => Program.BetaInputs;

    /// <summary>Whether the compiler takes this expression: every expression whose output depends on x.</summary>
    public static bool Handles(Expr e) => Compile(e).Program.UsesX;

    static readonly ConcurrentDictionary<Expr, ActivationProgram> cache = new();
    internal const int CacheLimit = 1024;
    internal static int CachedPrograms => cache.Count;

    /// <summary>Compiles (or finds) the program of <paramref name="expr"/>; each call gets its own stats.</summary>
    public static CompiledActivation Compile(Expr expr)
    {
        if (!cache.TryGetValue(expr, out var program))
        {
            program = ActivationProgram.Compile(expr);
            if (program.UsesX && program.Output != 0 && UseGeneratedKernels) program.Generated = KernelGenerator.Generate(program);
            // Bounded: a search sees thousands of genomes; start over rather than grow.
            if (cache.Count >= CacheLimit) cache.Clear();
            cache.TryAdd(expr, program);
        }
        return new CompiledActivation(program);
    }

    /// <summary>Whether float32 programs get generated loops (the default) or stay interpreted (tests compare the two).</summary>
    internal static bool UseGeneratedKernels { get; set; } = true;

    /// <summary>The program interpreted, without generated loops (tests compare the two bit for bit).</summary>
    internal static CompiledActivation Interpreted(Expr expr) => new(ActivationProgram.Compile(expr));

    /// <summary>At most this many threads for the kernels; 0 (the default): libtorch's intra-op thread count.</summary>
    public static int MaxThreads { get; set; }

    internal static int Threads => MaxThreads > 0 ? Math.Min(MaxThreads, get_num_threads()) : get_num_threads();

    /// <summary>Whether the compiled kernels handle this input: CPU, float32 or float64, at least (N, C), betas of shape [C] on the same device and dtype.</summary>
    public static bool Supports(Tensor x, IEnumerable<Tensor> betas)
    {
        if (x.device_type != DeviceType.CPU || (x.dtype != ScalarType.Float32 && x.dtype != ScalarType.Float64) || x.dim() < 2) return false;
        foreach (var b in betas)
            if (b.device_type != DeviceType.CPU || b.dtype != x.dtype || b.dim() != 1 || b.shape[0] != x.shape[1]) return false;
        return true;
    }

    /// <summary>f(x) with the given betas (one per <see cref="BetaInputs"/> slot, each of shape [C]).</summary>
    public Tensor Apply(Tensor x, IReadOnlyList<Tensor> betas)
    {
        var vars = new object[2 + betas.Count];
        vars[0] = this;
        vars[1] = x;
        for (int i = 0; i < betas.Count; i++) vars[2 + i] = betas[i];
        return Function.apply(vars);
    }

    sealed class Function : autograd.SingleTensorFunction<Function>
    {
        public override string Name => "CompiledActivationBackward";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var self = (CompiledActivation)vars[0];
            var input = (Tensor)vars[1];
            // Channels-last stays as it is (the rows layout handles it; a copy would cost more than the
            // activation); any other non-contiguous layout is made contiguous.
            var x = RowsLayout(input) || input.is_contiguous() ? input.alias() : input.contiguous();
            var betas = new List<Tensor>(vars.Length - 2);
            for (int i = 2; i < vars.Length; i++) betas.Add(((Tensor)vars[i]).contiguous());
            var y = empty_like(x);   // keeps x's layout
            int team = x.dtype == ScalarType.Float32 ? Forward<float>(self.Program, x, betas, y) : Forward<double>(self.Program, x, betas, y);
            self.Stats.RecordForward(team);
            ctx.save_for_backward([x, .. betas]);
            ctx.save_data("self", self);
            return y;
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var self = (CompiledActivation)ctx.get_data("self");
            var saved = ctx.get_saved_variables();
            var x = saved[0];
            var betas = saved.Skip(1).ToList();
            var g = SameLayout(gradOutput, x);
            var gx = empty_like(x);
            var gbetas = betas.Select(b => empty_like(b)).ToList();
            int team = x.dtype == ScalarType.Float32
                ? Backward<float>(self.Program, x, betas, g, gx, gbetas)
                : Backward<double>(self.Program, x, betas, g, gx, gbetas);
            self.Stats.RecordBackward(team);
            // One entry per argument of apply: none for the CompiledActivation itself.
            return [null!, gx, .. gbetas];
        }

        static Tensor SameLayout(Tensor t, Tensor like)
        {
            if (t.stride().SequenceEqual(like.stride())) return t.alias();
            var copy = empty_like(like);
            copy.copy_(t);
            return copy;
        }
    }

    /// <summary>Channels-last (N, C, H, W), or contiguous (N, C): runs of C values, one beta per value.</summary>
    static bool RowsLayout(Tensor x) =>
        x.dim() == 2 ? x.is_contiguous() : x.dim() == 4 && !x.is_contiguous() && Models.MemoryFormat.IsChannelsLast(x);

    static BlockInterpreter<T>.Shape ShapeOf<T>(Tensor x) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        long n = x.shape[0], c = x.shape[1], total = x.numel();
        return RowsLayout(x) ? new(total, c, 1, true) : new(total, c, n == 0 || c == 0 ? 1 : Math.Max(1, total / (n * c)), false);
    }

    static unsafe T* Data<T>(Tensor t) where T : unmanaged
    {
        if (t.is_contiguous()) return (T*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));
        using var nhwc = t.permute(0, 2, 3, 1);   // channels-last: the contiguous NHWC it is
        return (T*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(nhwc.bytes));
    }

    static unsafe int Forward<T>(ActivationProgram p, Tensor x, List<Tensor> betas, Tensor y) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        if (x.numel() == 0) return 0;
        var ptrs = new nint[betas.Count];
        for (int i = 0; i < ptrs.Length; i++) ptrs[i] = (nint)Data<T>(betas[i]);
        return BlockInterpreter<T>.Forward(p, ShapeOf<T>(x), Data<T>(x), ptrs, Data<T>(y), Threads);
    }

    static unsafe int Backward<T>(ActivationProgram p, Tensor x, List<Tensor> betas, Tensor g, Tensor gx, List<Tensor> gbetas) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        if (x.numel() == 0)
        {
            foreach (var gb in gbetas) gb.zero_();
            return 0;
        }
        var ptrs = new nint[betas.Count];
        var gptrs = new nint[betas.Count];
        for (int i = 0; i < betas.Count; i++) { ptrs[i] = (nint)Data<T>(betas[i]); gptrs[i] = (nint)Data<T>(gbetas[i]); }
        return BlockInterpreter<T>.Backward(p, ShapeOf<T>(x), Data<T>(x), ptrs, Data<T>(g), Data<T>(gx), gptrs, Threads);
    }
}

/// <summary>How often a <see cref="CompiledActivation"/> ran, and on how many threads (tests prove the path and the split).</summary>
public sealed class CompiledActivationStats
{
    long forwardCalls, backwardCalls;
    int lastForwardThreads, lastBackwardThreads;

    public long ForwardCalls => Interlocked.Read(ref forwardCalls);
    public long BackwardCalls => Interlocked.Read(ref backwardCalls);
    /// <summary>Threads the last forward (backward) call ran on: 1 when it ran inline, 0 for an empty tensor.</summary>
    public int LastForwardThreads => Volatile.Read(ref lastForwardThreads);
    public int LastBackwardThreads => Volatile.Read(ref lastBackwardThreads);

    internal void RecordForward(int threads) { Interlocked.Increment(ref forwardCalls); Volatile.Write(ref lastForwardThreads, threads); }
    internal void RecordBackward(int threads) { Interlocked.Increment(ref backwardCalls); Volatile.Write(ref lastBackwardThreads, threads); }
}
