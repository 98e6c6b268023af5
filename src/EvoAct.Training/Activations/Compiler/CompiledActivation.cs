using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.InteropServices;
using EvoAct.Search.Expressions;
using TorchSharp;
using static TorchSharp.torch;

namespace EvoAct.Training.Activations.Compiler;

/// <summary>
/// Any activation expression as one TorchSharp custom autograd function on CPU float32 (and
/// float64): <see cref="ActivationProgram"/> compiles it, <see cref="BlockInterpreter{T}"/> runs it.
/// Forward reads x once and writes y once; in training it also writes, from the same evaluation,
/// f'(x) and df/dbeta per element, which backward keeps instead of x. Backward then reads them and the
/// incoming gradient once and writes d/dx once, with d/dbeta per channel for every beta that reaches
/// the output: for most programs it recomputes nothing (recomputing the expression had cost a typical genome a third of
/// its activation time; the saved tensors are x's size, as x was, plus one per beta). Programs whose
/// evaluation costs less than those tensors' memory traffic (plain arithmetic, and no more
/// transcendentals than betas: Swish) keep x instead, and backward evaluates them again in one
/// generated pass (<see cref="ActivationProgram.RecomputesInBackward"/>, the same bits either way). Composed, the
/// same expression costs a pass over memory and a tensor per op forward, and about twice that
/// backward: that was 2-3x ReLU's step time for a typical candidate.
/// <para>
/// A program is a small instruction list; float32 programs also get loops generated as code
/// (<see cref="KernelGenerator"/>, 8 or 16 lanes), bit for bit the interpreter's. Both live in a
/// bounded cache (<see cref="CacheLimit"/> programs, then it starts over), so that the networks of
/// one evaluation share one and a search over thousands of genomes does not grow without bound.
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
    /// <summary>Programs kept at most (settable for the tests, which cycle the cache with fewer genomes).</summary>
    internal static int CacheLimit { get; set; } = 1024;
    internal static int CachedPrograms => cache.Count;

    /// <summary>Compiles (or finds) the program of <paramref name="expr"/>; each call gets its own stats.</summary>
    public static CompiledActivation Compile(Expr expr)
    {
        if (!cache.TryGetValue(expr, out var program))
        {
            program = ActivationProgram.Compile(expr);
            if (program.UsesX && program.Output != 0 && UseGeneratedKernels) program.Generated = Generate(program, VectorBits);
            // Bounded: a search sees thousands of genomes; start over rather than grow.
            if (cache.Count >= CacheLimit) cache.Clear();
            cache.TryAdd(expr, program);
        }
        return new CompiledActivation(program);
    }

    /// <summary>
    /// The generated loops of a program at a vector width: 512 runs 16 lanes (zmm registers), 256 runs 8.
    /// Both compute every lane alike, so the width changes speed, never a bit of a result (tested).
    /// </summary>
    internal static GeneratedLoops? Generate(ActivationProgram program, int bits) => bits switch
    {
        512 => Wide.KernelGenerator.Generate(program),
        256 => KernelGenerator.Generate(program),
        _ => null,
    };

    /// <summary>The widest vectors this CPU runs natively: 512 on AVX-512 machines (where .NET does not
    /// find them throttled), 256 on AVX2 ones, 0 where neither is accelerated (interpreted).</summary>
    public static int NativeVectorBits =>
        Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 0;

    static int vectorBits = NativeVectorBits;

    /// <summary>
    /// The width of the generated loops: <see cref="NativeVectorBits"/> by default; 256 on an AVX-512
    /// machine is for comparing the two (`evoact bench step --vector-bits`). Setting it starts the program
    /// cache over, so later compilations take the new width.
    /// </summary>
    public static int VectorBits
    {
        get => vectorBits;
        set
        {
            if (value is not (256 or 512)) throw new ArgumentOutOfRangeException(nameof(value), value, "the vector width is 256 or 512 bits");
            if (value > NativeVectorBits) throw new ArgumentOutOfRangeException(nameof(value), value, $"this CPU runs at most {NativeVectorBits}-bit vectors natively");
            vectorBits = value;
            cache.Clear();
        }
    }

    /// <summary>Whether float32 programs get generated loops (the default) or stay interpreted (tests compare the two).</summary>
    internal static bool UseGeneratedKernels { get; set; } = true;

    /// <summary>The program with loops of the given width, outside the cache (tests compare the widths bit for bit).</summary>
    internal static CompiledActivation WithLoops(Expr expr, int bits)
    {
        var program = ActivationProgram.Compile(expr);
        if (program.UsesX && program.Output != 0) program.Generated = Generate(program, bits);
        return new(program);
    }

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
            if (b.device_type != DeviceType.CPU || b.dtype != x.dtype || b.dim() != 1 || b.size(0) != x.size(1)) return false;
        return true;
    }

    /// <summary>f(x) with the given betas (one per <see cref="BetaInputs"/> slot, each of shape [C]).</summary>
    public Tensor Apply(Tensor x, IReadOnlyList<Tensor> betas)
    {
        var vars = new object[3 + betas.Count];
        vars[0] = this;
        // Whether backward will run (what TorchSharp's apply asks too; forward itself runs without grad).
        vars[1] = is_grad_enabled() && (x.requires_grad || betas.Any(b => b.requires_grad));
        vars[2] = x;
        for (int i = 0; i < betas.Count; i++) vars[3 + i] = betas[i];
        return Function.apply(vars);
    }

    sealed class Function : autograd.SingleTensorFunction<Function>
    {
        public override string Name => "CompiledActivationBackward";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var self = (CompiledActivation)vars[0];
            bool training = (bool)vars[1];
            var input = (Tensor)vars[2];
            // Channels-last stays as it is (the rows layout handles it; a copy would cost more than the
            // activation); any other non-contiguous layout is made contiguous.
            var x = RowsLayout(input) || input.is_contiguous() ? input.alias() : input.contiguous();
            var betas = new List<Tensor>(vars.Length - 3);
            for (int i = 3; i < vars.Length; i++) betas.Add(((Tensor)vars[i]).contiguous());
            var y = empty_like(x);   // keeps x's layout
            // Training: the derivatives backward needs are computed now, from this evaluation, and kept
            // instead of x (one tensor per element for d/dx, one per beta); evaluation: y alone.
            int team;
            if (training && self.Program.RecomputesInBackward)
            {
                // Cheap programs: y alone now, and backward evaluates the derivatives again from x (kept
                // instead of them), which costs less than writing them here and reading them back there.
                team = x.dtype == ScalarType.Float32 ? Forward<float>(self.Program, x, betas, y) : Forward<double>(self.Program, x, betas, y);
                ctx.save_for_backward([x, .. betas]);
            }
            else if (training)
            {
                var d = empty_like(x);
                var dbetas = betas.Select(_ => empty_like(x)).ToArray();
                team = x.dtype == ScalarType.Float32 ? ForwardTrain<float>(self.Program, x, betas, y, d, dbetas) : ForwardTrain<double>(self.Program, x, betas, y, d, dbetas);
                ctx.save_for_backward([d, .. dbetas]);
            }
            else team = x.dtype == ScalarType.Float32 ? Forward<float>(self.Program, x, betas, y) : Forward<double>(self.Program, x, betas, y);
            self.Stats.RecordForward(team, training);
            ctx.save_data("self", self);
            return y;
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var self = (CompiledActivation)ctx.get_data("self");
            var saved = ctx.get_saved_variables();
            // Stored: f'(x) and the df/dbeta; recomputing: x and the betas.
            var d = saved[0];
            var rest = saved.Skip(1).ToList();
            var g = SameLayout(gradOutput, d);
            var gx = empty_like(d);
            long channels = d.dim() > 1 ? d.size(1) : 0;
            var gbetas = rest.Select(_ => empty(channels, dtype: d.dtype)).ToList();
            var recompute = self.Program.RecomputesInBackward ? self.Program : null;
            int team = d.dtype == ScalarType.Float32
                ? Backward<float>(recompute, d, rest, g, gx, gbetas)
                : Backward<double>(recompute, d, rest, g, gx, gbetas);
            self.Stats.RecordBackward(team, recompute is not null);
            // One entry per argument of apply: none for the CompiledActivation itself and the flag.
            return [null!, null!, gx, .. gbetas];
        }

        static Tensor SameLayout(Tensor t, Tensor like)
        {
            if (SameStrides(t, like)) return t.alias();
            var copy = empty_like(like);
            copy.copy_(t);
            return copy;
        }
    }

    /// <summary>
    /// Whether two tensors of one shape have the same strides, dimension by dimension: Tensor.stride()
    /// and Tensor.shape cost close to a microsecond a call (an array through a callback), stride(d) and
    /// size(d) a twentieth of that, and an activation runs this path twice per step and call.
    /// </summary>
    static bool SameStrides(Tensor a, Tensor b)
    {
        long dims = a.dim();
        if (dims != b.dim()) return false;
        for (int d = 0; d < dims; d++)
            if (a.stride(d) != b.stride(d)) return false;
        return true;
    }

    /// <summary>Channels-last (N, C, H, W), or contiguous (N, C): runs of C values, one beta per value.</summary>
    static bool RowsLayout(Tensor x) =>
        x.dim() == 2 ? x.is_contiguous() : x.dim() == 4 && !x.is_contiguous() && Models.MemoryFormat.IsChannelsLast(x);

    static BlockInterpreter<T>.Shape ShapeOf<T>(Tensor x) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        long n = x.size(0), c = x.size(1), total = x.numel();
        return RowsLayout(x) ? new(total, c, 1, true) : new(total, c, n == 0 || c == 0 ? 1 : Math.Max(1, total / (n * c)), false);
    }

    /// <summary>
    /// The address of the tensor's first element (its storage offset included), contiguous or
    /// channels-last (the contiguous NHWC it is), from libtorch itself: Tensor.bytes asks several
    /// things first and builds a span, for a pointer the kernels take as it is.
    /// </summary>
    static unsafe T* Data<T>(Tensor t) where T : unmanaged => (T*)THSTensor_data(t.Handle);

    [DllImport("LibTorchSharp")]
    static extern nint THSTensor_data(nint handle);

    static unsafe int Forward<T>(ActivationProgram p, Tensor x, List<Tensor> betas, Tensor y) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        if (x.numel() == 0) return 0;
        var ptrs = new nint[betas.Count];
        for (int i = 0; i < ptrs.Length; i++) ptrs[i] = (nint)Data<T>(betas[i]);
        return BlockInterpreter<T>.Forward(p, ShapeOf<T>(x), Data<T>(x), ptrs, Data<T>(y), Threads);
    }

    static unsafe int ForwardTrain<T>(ActivationProgram p, Tensor x, List<Tensor> betas, Tensor y, Tensor d, Tensor[] dbetas) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        if (x.numel() == 0) return 0;
        var ptrs = new nint[betas.Count];
        var dptrs = new nint[betas.Count];
        for (int i = 0; i < ptrs.Length; i++) { ptrs[i] = (nint)Data<T>(betas[i]); dptrs[i] = (nint)Data<T>(dbetas[i]); }
        return BlockInterpreter<T>.ForwardTrain(p, ShapeOf<T>(x), Data<T>(x), ptrs, Data<T>(y), Data<T>(d), dptrs, Threads);
    }

    /// <summary>
    /// d/dx and each d/dbeta: from the stored derivatives (<paramref name="saved"/> f'(x), <paramref name="rest"/>
    /// each df/dbeta), or, with <paramref name="recompute"/>, evaluated again from x (<paramref name="saved"/>) and the betas (<paramref name="rest"/>).
    /// </summary>
    static unsafe int Backward<T>(ActivationProgram? recompute, Tensor saved, List<Tensor> rest, Tensor g, Tensor gx, List<Tensor> gbetas) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        if (saved.numel() == 0)
        {
            foreach (var gb in gbetas) gb.zero_();
            return 0;
        }
        var ptrs = new nint[rest.Count];
        var gptrs = new nint[rest.Count];
        for (int i = 0; i < ptrs.Length; i++) { ptrs[i] = (nint)Data<T>(rest[i]); gptrs[i] = (nint)Data<T>(gbetas[i]); }
        var shape = ShapeOf<T>(saved);
        return recompute is null
            ? BlockInterpreter<T>.Backward(shape, Data<T>(saved), ptrs, Data<T>(g), Data<T>(gx), gptrs, Threads)
            : BlockInterpreter<T>.BackwardFromInput(recompute, shape, Data<T>(saved), ptrs, Data<T>(g), Data<T>(gx), gptrs, Threads);
    }
}

/// <summary>How often a <see cref="CompiledActivation"/> ran, and on how many threads (tests prove the path and the split).</summary>
public sealed class CompiledActivationStats
{
    long forwardCalls, trainingForwardCalls, backwardCalls, recomputedBackwardCalls;
    int lastForwardThreads, lastBackwardThreads;

    public long ForwardCalls => Interlocked.Read(ref forwardCalls);
    /// <summary>Forward calls in training (an input required grad): they keep what backward needs.</summary>
    public long TrainingForwardCalls => Interlocked.Read(ref trainingForwardCalls);
    public long BackwardCalls => Interlocked.Read(ref backwardCalls);
    /// <summary>Backward calls that evaluated the derivatives again from x (<see cref="ActivationProgram.RecomputesInBackward"/>).</summary>
    public long RecomputedBackwardCalls => Interlocked.Read(ref recomputedBackwardCalls);
    /// <summary>Threads the last forward (backward) call ran on: 1 when it ran inline, 0 for an empty tensor.</summary>
    public int LastForwardThreads => Volatile.Read(ref lastForwardThreads);
    public int LastBackwardThreads => Volatile.Read(ref lastBackwardThreads);

    internal void RecordForward(int threads, bool training)
    {
        Interlocked.Increment(ref forwardCalls);
        if (training) Interlocked.Increment(ref trainingForwardCalls);
        Volatile.Write(ref lastForwardThreads, threads);
    }
    internal void RecordBackward(int threads, bool recomputed)
    {
        Interlocked.Increment(ref backwardCalls);
        if (recomputed) Interlocked.Increment(ref recomputedBackwardCalls);
        Volatile.Write(ref lastBackwardThreads, threads);
    }
}
