using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EvoAct.Training.Activations.Compiler;

/// <summary>
/// Runs an <see cref="ActivationProgram"/> over raw tensor memory, a cache-sized block at a time:
/// every register of the block lives in a per-thread scratch buffer that stays in L1, so forward reads
/// x once and writes y once. The training forward also sweeps the program in reverse, seeded with 1,
/// with one adjoint register per register, and writes f'(x) and each beta's df/dbeta per element;
/// backward multiplies them by the incoming gradient (one pass), writing d/dx once and reducing each
/// beta's d/dbeta per channel.
/// <para>
/// float32 runs the 8-lane kernels of <see cref="OpKernels"/>, or a program's generated loops of 8 or 16
/// lanes (blocks are padded to whole vectors);
/// float64 (the tests' reference precision) runs their scalar double forms.
/// </para>
/// <para>
/// Determinism: forward is elementwise, so any cut gives the same bits (one range per thread);
/// backward's work is cut into units that depend on the shape only (whole planes, or groups of rows
/// for channels-last), every unit writes its own d/dbeta partial sums, and those are added up in a
/// fixed order afterwards, so results do not depend on the thread count or the scheduling.
/// </para>
/// </summary>
[SkipLocalsInit]
internal static unsafe class BlockInterpreter<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The elements a unit of work covers, about: enough to amortise a unit's setup and its d/dbeta lane sums (8,192 cost Swish's backward 5%), small enough to balance 2-16 threads.</summary>
    const long UnitElements = 16384;

    static bool Vectorised => typeof(T) == typeof(float) && Vector256.IsHardwareAccelerated;

    /// <summary>Block length for a program: <paramref name="perRegister"/> buffers of every register (values; adjoints and derivatives in training) within about 24 KB.</summary>
    static int BlockLength(ActivationProgram p, int perRegister)
    {
        int b = 24 * 1024 / (perRegister * p.Registers * sizeof(T));
        return Math.Clamp(b / GeneratedLoops.MaxLanes * GeneratedLoops.MaxLanes, 64, 1024);
    }

    /// <summary>Where each element's beta comes from: planes (contiguous NC..., one beta per run of Inner) or rows (channels-last and (N, C): element i has channel i % C).</summary>
    internal readonly record struct Shape(long Total, long Channels, long Inner, bool Rows)
    {
        /// <summary>Runs of elements that share a beta per position: planes (Inner values) or rows (Channels values).</summary>
        long Runs => Total / RunLength;
        long RunLength => Rows ? Channels : Inner;

        /// <summary>
        /// Units of about <see cref="UnitElements"/>, whole runs each, as even as runs allow; more than one
        /// unit is rounded up to a multiple of 4, so that 2 and 4 threads get equal shares (with 25 units
        /// one of 2 threads did 13, and the call took 4% longer). The shape alone decides the cut.
        /// </summary>
        public long Units
        {
            get
            {
                long runs = Runs, units = (Total + UnitElements - 1) / UnitElements;
                if (units > 1) units = (units + 3) / 4 * 4;
                return Math.Min(units, runs);
            }
        }

        public (long Start, long End) Unit(long u)
        {
            long units = Units, runs = Runs;
            return (u * runs / units * RunLength, (u + 1) * runs / units * RunLength);
        }
    }

    sealed class Scratch
    {
        public T* Memory;
        public long Length;
    }

    [ThreadStatic] static Scratch? scratch;

    /// <summary>A per-thread buffer of at least <paramref name="length"/> elements (kept for the thread's life: one per libtorch worker).</summary>
    static T* ScratchFor(long length)
    {
        var s = scratch ??= new Scratch();
        if (s.Length < length)
        {
            if (s.Memory != null) NativeMemory.AlignedFree(s.Memory);
            s.Memory = (T*)NativeMemory.AlignedAlloc((nuint)(length * sizeof(T)), 64);
            s.Length = length;
        }
        return s.Memory;
    }

    /// <summary>y = f(x). <paramref name="betaPtrs"/>: one pointer per beta input slot, each to C values.</summary>
    public static int Forward(ActivationProgram p, Shape shape, T* x, nint[] betaPtrs, T* y, int threads)
    {
        int block = BlockLength(p, 1);
        return RunElements(shape, threads, (start, end) =>
        {
            int regs = p.Registers;
            T* mem = ScratchFor((long)regs * block);
            var r = stackalloc T*[regs];
            for (int i = 0; i < regs; i++) r[i] = mem + (long)i * block;
            FillConstants(p, r, block);
            nint* betaRegs = stackalloc nint[Math.Max(1, betaPtrs.Length)];
            fixed (nint* betaArrays = betaPtrs)
            for (long s = start; s < end; s += block)
            {
                int m = (int)Math.Min(block, end - s), n = Padded(m);
                bool full = m == block;
                r[0] = full ? x + s : CopyIn(x + s, mem, m, n);
                // The last instruction writes straight into y when the block is whole.
                T* outReg = r[p.Output];
                if (full && p.Output > 0) r[p.Output] = y + s;
                if (Vectorised && p.Generated is { } k)
                {
                    var betas = Betas(p, shape, betaPtrs, betaArrays, r, betaRegs, null, s, m, n);
                    k.Evaluate((nint)r[0], (nint)(&betas), (nint)r[p.Output], n);
                }
                else Eval(p, shape, betaPtrs, r, null, s, m, n);
                if (!full || p.Output == 0) new Span<T>(r[p.Output], m).CopyTo(new Span<T>(y + s, m));
                r[p.Output] = outReg;
            }
        });
    }

    /// <summary>
    /// The training forward: y = f(x), and what backward needs in place of x, per element: d = f'(x)
    /// and, per beta slot, df/dbeta (<paramref name="betaDerivatives"/>, one pointer per slot). One
    /// evaluation of the program and one reverse sweep seeded with 1 give all of them, so backward
    /// recomputes nothing: it is a pass over the incoming gradient (<see cref="Backward"/>).
    /// </summary>
    public static int ForwardTrain(ActivationProgram p, Shape shape, T* x, nint[] betaPtrs, T* y, T* d, nint[] betaDerivatives, int threads)
    {
        int block = BlockLength(p, 3);
        bool stream = shape.Total >= StreamElements;
        if (Vectorised) _ = p.Generated?.Train;   // compiled here on first use, not on a worker thread
        return RunElements(shape, threads, (start, end) =>
        {
            fixed (nint* outs = betaDerivatives)
                TrainRange(p, shape, x, betaPtrs, y, d, outs, start, end, block, ScratchFor(TrainScratch(p, block)), stream);
            // Streaming stores are weakly ordered: drain them before the unit counts as done.
            if (stream && System.Runtime.Intrinsics.X86.Sse.IsSupported) System.Runtime.Intrinsics.X86.Sse.StoreFence();
        });
    }

    /// <summary>
    /// From this many elements on, the training forward writes f'(x) and each df/dbeta with streaming
    /// (non-temporal) stores: backward reads them only after the rest of the forward pass and the
    /// layers above, out of cache by then, and a cached write first reads its line. Smaller tensors
    /// may still be cached at backward. Measured (scripts/bench-trainer.sh's 28 activations, 3
    /// rounds of alternating builds, AMD EPYC): 1-5% off the step time over ReLU's on cpu-proxy,
    /// 0-1% on ResNet-20, with <see cref="RunElements"/>'s aligned units.
    /// </summary>
    internal const long StreamElements = 32_768;

    /// <summary>Below this many elements a call runs on the calling thread: a parallel region costs more than it saves.</summary>
    const long ParallelElements = 32_768;

    /// <summary>Scratch elements <see cref="TrainRange"/> needs at a block length.</summary>
    static long TrainScratch(ActivationProgram p, int block) => (3L * p.Registers + 2 + p.BetaInputs.Count) * block;

    /// <summary>
    /// The training evaluation of elements [start, end): y, d and each slot's df/dbeta at their flat
    /// offsets (y + s, d + s, betaDerivatives[j] + s), a block at a time, in scratch memory
    /// <paramref name="mem"/> (<see cref="TrainScratch"/>). Every element's values depend on that element
    /// (and its channel's betas) alone, so any cut of a range into blocks gives the same bits.
    /// </summary>
    static void TrainRange(ActivationProgram p, in Shape shape, T* x, nint[] betaPtrs, T* y, T* d, nint* betaDerivatives,
                           long start, long end, int block, T* mem, bool stream = false)
    {
        int regs = p.Registers, slots = betaPtrs.Length;
        // Registers, adjoints and local derivatives; then, for a last short block of the generated
        // loops (which write whole vectors), y, d and the beta derivatives before they are copied out.
        var r = stackalloc T*[regs];
        var adj = stackalloc T*[regs];
        var dr = stackalloc T*[regs];
        for (int i = 0; i < regs; i++)
        {
            r[i] = mem + (long)i * block;
            adj[i] = mem + (long)(regs + i) * block;
            dr[i] = mem + (long)(2 * regs + i) * block;
        }
        T* tail = mem + 3L * regs * block;
        FillConstants(p, r, block);
        nint* betaRegs = stackalloc nint[Math.Max(1, slots)];
        nint* betaOut = stackalloc nint[Math.Max(1, slots)];
        var betaDst = stackalloc T*[Math.Max(1, slots)];
        fixed (nint* betaArrays = betaPtrs)
        for (long s = start; s < end; s += block)
        {
            int m = (int)Math.Min(block, end - s), n = Padded(m);
            bool full = m == block;
            r[0] = full ? x + s : CopyIn(x + s, mem, m, n);
            if (Vectorised && p.Generated is { } k)
            {
                var betas = Betas(p, shape, betaPtrs, betaArrays, r, betaRegs, null, s, m, n);
                for (int j = 0; j < slots; j++) betaOut[j] = full ? (nint)((T*)betaDerivatives[j] + s) : (nint)(tail + (2L + j) * block);
                k.Train((nint)r[0], (nint)(&betas), full ? (nint)(y + s) : (nint)tail, full ? (nint)(d + s) : (nint)(tail + block), (nint)betaOut, n, stream && full);
                if (!full)
                {
                    new Span<T>(tail, m).CopyTo(new Span<T>(y + s, m));
                    new Span<T>(tail + block, m).CopyTo(new Span<T>(d + s, m));
                    for (int j = 0; j < slots; j++) new Span<T>((T*)betaOut[j], m).CopyTo(new Span<T>((T*)betaDerivatives[j] + s, m));
                }
                continue;
            }
            Eval(p, shape, betaPtrs, r, dr, s, m, n);
            // The output's adjoint is its own register (nothing after the output adds to it; when the
            // output is x itself, nothing does at all): seeded with 1.
            new Span<T>(adj[p.Output], n).Fill(T.One);
            for (int j = 0; j < slots; j++) betaDst[j] = (T*)betaDerivatives[j] + s;
            Reverse(p, r, adj, dr, m, n, betaDst);
            new Span<T>(r[p.Output], m).CopyTo(new Span<T>(y + s, m));
            new Span<T>(adj[0], m).CopyTo(new Span<T>(d + s, m));
        }
    }

    /// <summary>
    /// gx = g * d and gbeta[k][c] = the sum over the elements of channel c of g * df/dbeta_k, from what
    /// <see cref="ForwardTrain"/> stored: reads the gradient and the derivatives once, writes d/dx once.
    /// </summary>
    public static int Backward(Shape shape, T* d, nint[] betaDerivatives, T* g, T* gx, nint[] gbetas, int threads) =>
        Backward(shape, null, null, null, d, betaDerivatives, g, gx, gbetas, threads);

    /// <summary>
    /// The same gradients with the derivatives recomputed from x (<see cref="ForwardTrain"/>'s evaluation:
    /// with generated loops one pass per block that leaves only gx and the beta products, otherwise in
    /// scratch memory) instead of read from stored tensors: bit for bit what
    /// <see cref="Backward(Shape, T*, nint[], T*, T*, nint[], int)"/> gives after ForwardTrain, since every
    /// element's derivatives depend on the element alone and the reduction sees the same blocks.
    /// </summary>
    public static int BackwardFromInput(ActivationProgram p, Shape shape, T* x, nint[] betaPtrs, T* g, T* gx, nint[] gbetas, int threads) =>
        Backward(shape, p, x, betaPtrs, null, null, g, gx, gbetas, threads);

    /// <summary>Stored derivatives (<paramref name="storedD"/>, <paramref name="storedBetaDerivatives"/>), or with <paramref name="p"/> recomputed from x.</summary>
    static int Backward(Shape shape, ActivationProgram? p, T* x, nint[]? betaPtrs, T* storedD, nint[]? storedBetaDerivatives,
                        T* g, T* gx, nint[] gbetas, int threads)
    {
        const int block = 1024;
        int slots = gbetas.Length;
        int trainBlock = p is null ? 0 : BlockLength(p, 3);
        var loops = p is not null && Vectorised ? p.Generated : null;
        var gradient = loops?.Backward;   // compiled here on first use, not on a worker thread
        long channels = shape.Channels, units = shape.Units;
        // d/dbeta partial sums per slot: per unit and channel (rows, and float32 planes: 16 lane sums
        // per channel, BlockBetas', so a short plane costs a few vector adds, not a horizontal sum
        // each, and the generated loops add into them in registers), or per plane (the scalar path).
        bool perUnit = shape.Rows || Vectorised;
        long sinks = perUnit ? units * channels : shape.Total / shape.Inner;
        var partial = new double[slots * sinks];
        int used = Run(shape, threads, u =>
        {
            var (start, end) = shape.Unit(u);
            long accLength = slots == 0 ? 0 : shape.Rows ? slots * channels : Vectorised ? slots * channels * BlockBetas.Lanes : 0;
            // Scratch: the accumulators, each slot's products g * df/dbeta for a block; recomputing with
            // generated loops, the beta registers and a short block's x, g and gx; recomputing
            // interpreted, the block's y (unused), d and df/dbeta, then the training evaluation's own scratch.
            long recompute = p is null ? 0 : loops is not null ? (slots + 3L) * block : (2L + slots) * block + TrainScratch(p, trainBlock);
            T* acc = ScratchFor(accLength + (long)slots * block + recompute);
            new Span<T>(acc, (int)accLength).Clear();
            T* products = acc + accLength, rest = products + (long)slots * block;
            // Generated: a short block's x, g and gx after the beta registers; interpreted: y, d, df/dbeta.
            T* tail = rest + (long)slots * block, blockD = rest + block, blockBetas = blockD + block;
            nint* outs = stackalloc nint[Math.Max(1, slots)];
            nint* regs = stackalloc nint[Math.Max(1, slots)];
            nint* sums = stackalloc nint[Math.Max(1, slots)];
            var r = stackalloc T*[p is null ? 1 : p.Registers];
            if (loops is not null)
            {
                foreach (var (reg, slot) in p!.BetaRegisters) r[reg] = rest + (long)slot * block;
                for (int k = 0; k < slots; k++) outs[k] = (nint)(products + (long)k * block);
            }
            for (int k = 0; k < slots; k++) sums[k] = (nint)(acc + k * channels * BlockBetas.Lanes);
            // Broadcasting betas, the generated pass adds d/dbeta into the unit's sums itself.
            bool summed = gradient is not null && Broadcasts(shape);
            fixed (nint* betaArrays = betaPtrs)
            for (long s = start; s < end; s += block)
            {
                int m = (int)Math.Min(block, end - s);
                if (gradient is not null)
                {
                    // One generated pass: x and g in, gx and the products (or their sums) out.
                    int n = Padded(m);
                    bool full = m == block;
                    var betas = Betas(p!, shape, betaPtrs!, betaArrays, r, regs, summed ? sums : outs, s, m, n);
                    gradient(full ? (nint)(x + s) : (nint)CopyIn(x + s, tail, m, n), (nint)(&betas),
                                   full ? (nint)(g + s) : (nint)CopyIn(g + s, tail + block, m, n),
                                   full ? (nint)(gx + s) : (nint)(tail + 2 * block), n);
                    if (!full) new Span<T>(tail + 2 * block, m).CopyTo(new Span<T>(gx + s, m));
                }
                else
                {
                    T* d = storedD + s;
                    if (p is not null)
                    {
                        // TrainRange writes at flat offsets: shift the block's buffers so that offset s lands at their start.
                        for (int k = 0; k < slots; k++) outs[k] = (nint)(blockBetas + (long)k * block - s);
                        TrainRange(p, shape, x, betaPtrs!, rest - s, blockD - s, outs, s, s + m, trainBlock, blockBetas + (long)slots * block);
                        d = blockD;
                    }
                    MulInto(g + s, d, gx + s, m);
                    for (int k = 0; k < slots; k++)
                        MulInto(g + s, p is null ? (T*)storedBetaDerivatives![k] + s : blockBetas + (long)k * block, products + (long)k * block, m);
                }
                // The same blocks and products either way, so the same sums.
                if (!summed) for (int k = 0; k < slots; k++) ReduceBeta(shape, products + (long)k * block, k, acc, partial, sinks, s, m);
            }
            if (slots == 0) return;
            if (shape.Rows)
                for (int k = 0; k < slots; k++)
                    for (long c = 0; c < channels; c++)
                        partial[k * sinks + u * channels + c] = double.CreateTruncating(acc[k * channels + c]);
            else if (Vectorised)
                for (int k = 0; k < slots; k++)
                    for (long c = 0; c < channels; c++)
                    {
                        float* lanes = (float*)acc + (k * channels + c) * BlockBetas.Lanes;
                        partial[k * sinks + u * channels + c] = Vector256.Sum(Vector256.Load(lanes) + Vector256.Load(lanes + 8));
                    }
        });
        // Fixed-order sums over planes (or units) of the same channel.
        for (int k = 0; k < slots; k++)
            for (long c = 0; c < channels; c++)
            {
                double sum = 0;
                long count = perUnit ? units : sinks / channels;
                for (long i = 0; i < count; i++) sum += partial[k * sinks + i * channels + c];
                ((T*)gbetas[k])[c] = T.CreateTruncating(sum);
            }
        return used;
    }

    /// <summary>to[i] = a[i] * b[i].</summary>
    static void MulInto(T* a, T* b, T* to, int n)
    {
        int i = 0;
        if (Vectorised)
            for (; i <= n - 8; i += 8)
                (Vector256.Load((float*)a + i) * Vector256.Load((float*)b + i)).Store((float*)to + i);
        for (; i < n; i++) to[i] = a[i] * b[i];
    }

    /// <summary>A block's length padded to whole vectors of any width the generated loops have.</summary>
    static int Padded(int m) => (m + GeneratedLoops.MaxLanes - 1) & ~(GeneratedLoops.MaxLanes - 1);

    /// <summary>
    /// Whether the generated loops broadcast each plane's beta and sum its d/dbeta in place
    /// (<see cref="BlockBetas"/>' planes mode): NCHW planes of at least a vector of any width, so a
    /// vector spans at most two planes. Otherwise they read filled beta registers and store the products.
    /// </summary>
    internal static bool Broadcasts(in Shape shape) => Vectorised && !shape.Rows && shape.Inner >= GeneratedLoops.MaxLanes;

    /// <summary>
    /// The block [s, s + m)'s betas for the generated loops: the per-channel arrays and where the block's
    /// first plane ends (planes mode), or the block's beta registers, filled, by slot; backward, where
    /// d/dbeta goes (<paramref name="sums"/>: lane sums or products, per slot).
    /// </summary>
    static BlockBetas Betas(ActivationProgram p, in Shape shape, nint[] betas, nint* arrays, T** r, nint* regs, nint* sums, long s, int m, int n)
    {
        var b = new BlockBetas { Sums = (nint)sums, Valid = m };
        if (Broadcasts(shape))
        {
            long plane = s / shape.Inner;
            b.Values = (nint)arrays;
            b.Planes = 1;
            b.Channel = (int)(plane % shape.Channels);
            b.End = (int)((plane + 1) * shape.Inner - s);
            b.Inner = (int)shape.Inner;
            b.Channels = (int)shape.Channels;
            return b;
        }
        foreach (var (reg, slot) in p.BetaRegisters)
        {
            FillBeta(shape, (T*)betas[slot], r[reg], s, m, n);
            regs[slot] = (nint)r[reg];
        }
        b.Values = (nint)regs;
        return b;
    }

    /// <summary>Copies m elements into a scratch register and zeroes its padding (benign lanes for every op).</summary>
    static T* CopyIn(T* from, T* to, int m, int n)
    {
        new Span<T>(from, m).CopyTo(new Span<T>(to, m));
        new Span<T>(to + m, n - m).Clear();
        return to;
    }

    static void FillConstants(ActivationProgram p, T** r, int block)
    {
        var code = p.Instructions;
        for (int i = 0; i < code.Count; i++)
            if (code[i].Op == OpCode.Const) new Span<T>(r[i + 1], block).Fill(T.CreateTruncating(code[i].K));
    }

    /// <summary>
    /// Registers 1.. for the block at flat offset s (m elements, n padded); with <paramref name="dr"/>
    /// (training), the local derivatives of the ops whose derivative is a transcendental of its own too.
    /// </summary>
    static void Eval(ActivationProgram p, in Shape shape, nint[] betas, T** r, T** dr, long s, int m, int n)
    {
        var code = p.Instructions;
        for (int i = 0; i < code.Count; i++)
        {
            var ins = code[i];
            T* y = r[i + 1];
            switch (ins.Op)
            {
                case OpCode.Const: break;   // filled once per unit
                case OpCode.Beta: FillBeta(shape, (T*)betas[ins.Beta], y, s, m, n); break;
                case OpCode.PowConst: PowConst(r[ins.A], y, n, ins.K); break;
                case OpCode.Neg: Map<NegK>(r[ins.A], y, n); break;
                case OpCode.Abs: Map<AbsK>(r[ins.A], y, n); break;
                case OpCode.Square: Map<SquareK>(r[ins.A], y, n); break;
                case OpCode.Cube: Map<CubeK>(r[ins.A], y, n); break;
                case OpCode.Sqrt: Map<SqrtK>(r[ins.A], y, n); break;
                case OpCode.Log: Map<LogK>(r[ins.A], y, n); break;
                case OpCode.Exp: Map<ExpK>(r[ins.A], y, n); break;
                case OpCode.Sin: MapWithDerivative<SinK>(r[ins.A], y, dr == null ? null : dr[i + 1], n); break;
                case OpCode.Cos: MapWithDerivative<CosK>(r[ins.A], y, dr == null ? null : dr[i + 1], n); break;
                case OpCode.Sinh: MapWithDerivative<SinhK>(r[ins.A], y, dr == null ? null : dr[i + 1], n); break;
                case OpCode.Cosh: MapWithDerivative<CoshK>(r[ins.A], y, dr == null ? null : dr[i + 1], n); break;
                case OpCode.Tanh: Map<TanhK>(r[ins.A], y, n); break;
                case OpCode.Asinh: Map<AsinhK>(r[ins.A], y, n); break;
                case OpCode.Atan: Map<AtanK>(r[ins.A], y, n); break;
                case OpCode.Sinc: MapWithDerivative<SincK>(r[ins.A], y, dr == null ? null : dr[i + 1], n); break;
                case OpCode.Relu: Map<ReluK>(r[ins.A], y, n); break;
                case OpCode.Min0: Map<Min0K>(r[ins.A], y, n); break;
                case OpCode.Sigmoid: Map<SigmoidK>(r[ins.A], y, n); break;
                case OpCode.Softplus: MapWithDerivative<SoftplusK>(r[ins.A], y, dr == null ? null : dr[i + 1], n); break;
                case OpCode.Erf: MapWithDerivative<ErfK>(r[ins.A], y, dr == null ? null : dr[i + 1], n); break;
                case OpCode.Add: Map<AddK>(r[ins.A], r[ins.B], y, n); break;
                case OpCode.Sub: Map<SubK>(r[ins.A], r[ins.B], y, n); break;
                case OpCode.Mul: Map<MulK>(r[ins.A], r[ins.B], y, n); break;
                case OpCode.Div: Map<DivK>(r[ins.A], r[ins.B], y, n); break;
                case OpCode.Max: Map<MaxK>(r[ins.A], r[ins.B], y, n); break;
                case OpCode.Min: Map<MinK>(r[ins.A], r[ins.B], y, n); break;
                case OpCode.Pow: Map<PowK>(r[ins.A], r[ins.B], y, n); break;
                default: throw new InvalidOperationException($"unknown op {ins.Op}");
            }
        }
    }

    /// <summary>The reverse sweep: adjoints of every register from the output's, and each beta's into its <paramref name="betaOut"/> (m elements).</summary>
    static void Reverse(ActivationProgram p, T** r, T** adj, T** dr, int m, int n, T** betaOut)
    {
        var code = p.Instructions;
        for (int i = code.Count - 1; i >= 0; i--)
        {
            var ins = code[i];
            T* y = r[i + 1], g = adj[i + 1];
            bool? setA = p.SetsA[i], setB = p.SetsB[i];
            if (ins.Op == OpCode.Beta)
            {
                new Span<T>(g, m).CopyTo(new Span<T>(betaOut[ins.Beta], m));   // df/dbeta, per element
                continue;
            }
            if (setA is null && setB is null) continue;
            T* a = ins.A >= 0 ? r[ins.A] : null, b = ins.B >= 0 ? r[ins.B] : null;
            T* ga = setA is null ? null : adj[ins.A], gb = setB is null ? null : adj[ins.B];
            bool sa = setA ?? false, sb = setB ?? false;
            switch (ins.Op)
            {
                case OpCode.PowConst: PowConstGrad(a, g, ga, sa, n, ins.K); break;
                case OpCode.Neg: Grad<NegK>(a, y, g, ga, sa, n); break;
                case OpCode.Abs: Grad<AbsK>(a, y, g, ga, sa, n); break;
                case OpCode.Square: Grad<SquareK>(a, y, g, ga, sa, n); break;
                case OpCode.Cube: Grad<CubeK>(a, y, g, ga, sa, n); break;
                case OpCode.Sqrt: Grad<SqrtK>(a, y, g, ga, sa, n); break;
                case OpCode.Log: Grad<LogK>(a, y, g, ga, sa, n); break;
                case OpCode.Exp: Grad<ExpK>(a, y, g, ga, sa, n); break;
                case OpCode.Sin: GradWithDerivative<SinK>(a, y, dr[i + 1], g, ga, sa, n); break;
                case OpCode.Cos: GradWithDerivative<CosK>(a, y, dr[i + 1], g, ga, sa, n); break;
                case OpCode.Sinh: GradWithDerivative<SinhK>(a, y, dr[i + 1], g, ga, sa, n); break;
                case OpCode.Cosh: GradWithDerivative<CoshK>(a, y, dr[i + 1], g, ga, sa, n); break;
                case OpCode.Tanh: Grad<TanhK>(a, y, g, ga, sa, n); break;
                case OpCode.Asinh: Grad<AsinhK>(a, y, g, ga, sa, n); break;
                case OpCode.Atan: Grad<AtanK>(a, y, g, ga, sa, n); break;
                case OpCode.Sinc: GradWithDerivative<SincK>(a, y, dr[i + 1], g, ga, sa, n); break;
                case OpCode.Relu: Grad<ReluK>(a, y, g, ga, sa, n); break;
                case OpCode.Min0: Grad<Min0K>(a, y, g, ga, sa, n); break;
                case OpCode.Sigmoid: Grad<SigmoidK>(a, y, g, ga, sa, n); break;
                case OpCode.Softplus: GradWithDerivative<SoftplusK>(a, y, dr[i + 1], g, ga, sa, n); break;
                case OpCode.Erf: GradWithDerivative<ErfK>(a, y, dr[i + 1], g, ga, sa, n); break;
                case OpCode.Add: Grad<AddK>(a, b, y, g, ga, sa, gb, sb, n); break;
                case OpCode.Sub: Grad<SubK>(a, b, y, g, ga, sa, gb, sb, n); break;
                case OpCode.Mul: Grad<MulK>(a, b, y, g, ga, sa, gb, sb, n); break;
                case OpCode.Div: Grad<DivK>(a, b, y, g, ga, sa, gb, sb, n); break;
                case OpCode.Max: Grad<MaxK>(a, b, y, g, ga, sa, gb, sb, n); break;
                case OpCode.Min: Grad<MinK>(a, b, y, g, ga, sa, gb, sb, n); break;
                case OpCode.Pow: Grad<PowK>(a, b, y, g, ga, sa, gb, sb, n); break;
                default: throw new InvalidOperationException($"unknown op {ins.Op}");
            }
        }
    }

    // ---- beta in and d/dbeta out ----

    static void FillBeta(in Shape shape, T* beta, T* y, long s, int m, int n)
    {
        long c = shape.Channels;
        if (shape.Rows)
        {
            long ch = s % c;
            for (int i = 0; i < m;)
            {
                int run = (int)Math.Min(m - i, c - ch);
                new Span<T>(beta + ch, run).CopyTo(new Span<T>(y + i, run));
                i += run;
                ch = 0;
            }
        }
        else
        {
            long inner = shape.Inner, plane = s / inner, ch = plane % c;
            // The channel steps along with the plane (no division per plane: planes of a 4x4 stage are 16 values).
            for (int i = 0; i < m; plane++, ch = ch + 1 == c ? 0 : ch + 1)
            {
                int run = (int)Math.Min(m - i, (plane + 1) * inner - (s + i));
                if (Vectorised)
                {
                    // Planes of a 4x4 or 7x7 stage are 16 or 49 values: stores inline, no call per plane.
                    float* f = (float*)y + i;
                    float b = ((float*)beta)[ch];
                    var vb = Vector256.Create(b);
                    int j = 0;
                    for (; j <= run - 8; j += 8) vb.Store(f + j);
                    // The rest of a plane of 8 or more as one store that overlaps the last (same value).
                    if (j < run && run >= 8) vb.Store(f + run - 8);
                    else for (; j < run; j++) f[j] = b;
                }
                else new Span<T>(y + i, run).Fill(beta[ch]);
                i += run;
            }
        }
        new Span<T>(y + m, n - m).Clear();
    }

    /// <summary>Adds the block's d/dbeta contributions g[0..m) to their sinks: the unit's per-channel accumulator (rows) or the plane sums (planes).</summary>
    static void ReduceBeta(in Shape shape, T* g, int slot, T* acc, double[] partial, long sinks, long s, int m)
    {
        long c = shape.Channels;
        float* piece = stackalloc float[BlockBetas.Lanes];
        if (shape.Rows)
        {
            T* a = acc + slot * c;
            long ch = s % c;
            for (int i = 0; i < m;)
            {
                int run = (int)Math.Min(m - i, c - ch);
                AddInto(g + i, a + ch, run);
                i += run;
                ch = 0;
            }
            return;
        }
        long inner = shape.Inner, plane = s / inner, channel = plane % c;
        for (int i = 0; i < m; plane++, channel = channel + 1 == c ? 0 : channel + 1)
        {
            int run = (int)Math.Min(m - i, (plane + 1) * inner - (s + i));
            if (Vectorised)
            {
                // The plane's piece of the block summed in 16 lanes from +0 (element j of the block in lane
                // j mod 16), then added into the unit's lane sums of its channel (summed across lanes at the
                // unit's end): what the generated loops do in registers (KernelGenerator.Sink), the same bits.
                float* f = (float*)g;
                const int mask = BlockBetas.Lanes - 1;
                var low = Vector256<float>.Zero;
                var high = Vector256<float>.Zero;
                int j = i, e = i + run;
                if ((j & mask) != 0 || e - j < BlockBetas.Lanes)
                {
                    new Span<float>(piece, BlockBetas.Lanes).Clear();
                    for (; j < e && (j & mask) != 0; j++) piece[j & mask] += f[j];
                    low = Vector256.Load(piece);
                    high = Vector256.Load(piece + 8);
                }
                for (; j + BlockBetas.Lanes <= e; j += BlockBetas.Lanes)
                {
                    low += Vector256.Load(f + j);
                    high += Vector256.Load(f + j + 8);
                }
                if (j < e)
                {
                    low.Store(piece);
                    high.Store(piece + 8);
                    for (; j < e; j++) piece[j & mask] += f[j];
                    low = Vector256.Load(piece);
                    high = Vector256.Load(piece + 8);
                }
                float* la = (float*)acc + (slot * c + channel) * BlockBetas.Lanes;
                (Vector256.Load(la) + low).Store(la);
                (Vector256.Load(la + 8) + high).Store(la + 8);
            }
            else partial[slot * sinks + plane] += Sum(g + i, run);
            i += run;
        }
    }

    static void AddInto(T* from, T* to, int n)
    {
        int i = 0;
        if (Vectorised)
            for (; i <= n - 8; i += 8)
                (Vector256.Load((float*)to + i) + Vector256.Load((float*)from + i)).Store((float*)to + i);
        for (; i < n; i++) to[i] += from[i];
    }

    /// <summary>A sum in a fixed order for a given n (8 lanes, then a shuffle tree, then the tail).</summary>
    static double Sum(T* v, int n)
    {
        int i = 0;
        double sum = 0;
        if (Vectorised)
        {
            var acc = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8) acc += Vector256.Load((float*)v + i);
            sum = Vector256.Sum(acc);
        }
        for (; i < n; i++) sum += double.CreateTruncating(v[i]);
        return sum;
    }

    // ---- the loops: 8 lanes for float32, the scalar double forms otherwise ----

    static void Map<TOp>(T* a, T* y, int n) where TOp : struct, IUnaryKernel
    {
        if (Vectorised)
        {
            float* fa = (float*)a, fy = (float*)y;
            for (int i = 0; i < n; i += 8) TOp.Value(Vector256.Load(fa + i)).Store(fy + i);
            return;
        }
        for (int i = 0; i < n; i++) y[i] = T.CreateTruncating(TOp.Value(double.CreateTruncating(a[i])));
    }

    /// <summary>Values, and (float32, when <paramref name="d"/> is given) local derivatives from the same evaluation.</summary>
    static void MapWithDerivative<TOp>(T* a, T* y, T* d, int n) where TOp : struct, IDerivativeKernel
    {
        if (Vectorised && d != null)
        {
            float* fa = (float*)a, fy = (float*)y, fd = (float*)d;
            for (int i = 0; i < n; i += 8)
            {
                TOp.Both(Vector256.Load(fa + i), out var vd).Store(fy + i);
                vd.Store(fd + i);
            }
            return;
        }
        Map<TOp>(a, y, n);
    }

    /// <summary>ga (+)= g * d from the derivatives <see cref="MapWithDerivative{TOp}"/> stored (float32); the op's own formula otherwise.</summary>
    static void GradWithDerivative<TOp>(T* a, T* y, T* d, T* g, T* ga, bool set, int n) where TOp : struct, IDerivativeKernel
    {
        if (!Vectorised)
        {
            Grad<TOp>(a, y, g, ga, set, n);
            return;
        }
        float* fd = (float*)d, fg = (float*)g, fga = (float*)ga;
        for (int i = 0; i < n; i += 8)
        {
            var v = Vector256.Load(fg + i) * Vector256.Load(fd + i);
            (set ? v : Vector256.Load(fga + i) + v).Store(fga + i);
        }
    }

    static void Map<TOp>(T* a, T* b, T* y, int n) where TOp : struct, IBinaryKernel
    {
        if (Vectorised)
        {
            float* fa = (float*)a, fb = (float*)b, fy = (float*)y;
            for (int i = 0; i < n; i += 8) TOp.Value(Vector256.Load(fa + i), Vector256.Load(fb + i)).Store(fy + i);
            return;
        }
        for (int i = 0; i < n; i++) y[i] = T.CreateTruncating(TOp.Value(double.CreateTruncating(a[i]), double.CreateTruncating(b[i])));
    }

    static void Grad<TOp>(T* a, T* y, T* g, T* ga, bool set, int n) where TOp : struct, IUnaryKernel
    {
        if (Vectorised)
        {
            float* fa = (float*)a, fy = (float*)y, fg = (float*)g, fga = (float*)ga;
            for (int i = 0; i < n; i += 8)
            {
                var d = TOp.Grad(Vector256.Load(fa + i), Vector256.Load(fy + i), Vector256.Load(fg + i));
                (set ? d : Vector256.Load(fga + i) + d).Store(fga + i);
            }
            return;
        }
        for (int i = 0; i < n; i++)
        {
            var d = T.CreateTruncating(TOp.Grad(double.CreateTruncating(a[i]), double.CreateTruncating(y[i]), double.CreateTruncating(g[i])));
            ga[i] = set ? d : ga[i] + d;
        }
    }

    static void Grad<TOp>(T* a, T* b, T* y, T* g, T* ga, bool setA, T* gb, bool setB, int n) where TOp : struct, IBinaryKernel
    {
        // When a and b are one register, ga and gb are one adjoint: A's contribution lands first
        // (setB is then false), element by element, so the order is the same as two passes.
        if (Vectorised)
        {
            float* fa = (float*)a, fb = (float*)b, fy = (float*)y, fg = (float*)g, fga = (float*)ga, fgb = (float*)gb;
            for (int i = 0; i < n; i += 8)
            {
                var va = Vector256.Load(fa + i);
                var vb = Vector256.Load(fb + i);
                var vy = Vector256.Load(fy + i);
                var vg = Vector256.Load(fg + i);
                if (fga != null)
                {
                    var d = TOp.GradA(va, vb, vy, vg);
                    (setA ? d : Vector256.Load(fga + i) + d).Store(fga + i);
                }
                if (fgb != null)
                {
                    var d = TOp.GradB(va, vb, vy, vg);
                    (setB ? d : Vector256.Load(fgb + i) + d).Store(fgb + i);
                }
            }
            return;
        }
        for (int i = 0; i < n; i++)
        {
            double da = double.CreateTruncating(a[i]), db = double.CreateTruncating(b[i]), dy = double.CreateTruncating(y[i]), dg = double.CreateTruncating(g[i]);
            if (ga != null)
            {
                var d = T.CreateTruncating(TOp.GradA(da, db, dy, dg));
                ga[i] = setA ? d : ga[i] + d;
            }
            if (gb != null)
            {
                var d = T.CreateTruncating(TOp.GradB(da, db, dy, dg));
                gb[i] = setB ? d : gb[i] + d;
            }
        }
    }

    static void PowConst(T* a, T* y, int n, double k)
    {
        if (Vectorised)
        {
            for (int i = 0; i < n; i += 8) PowConstKernel.Value(Vector256.Load((float*)a + i), k).Store((float*)y + i);
            return;
        }
        for (int i = 0; i < n; i++) y[i] = T.CreateTruncating(PowConstKernel.Value(double.CreateTruncating(a[i]), k));
    }

    static void PowConstGrad(T* a, T* g, T* ga, bool set, int n, double k)
    {
        if (Vectorised)
        {
            for (int i = 0; i < n; i += 8)
            {
                var d = PowConstKernel.Grad(Vector256.Load((float*)a + i), Vector256.Load((float*)g + i), k);
                (set ? d : Vector256.Load((float*)ga + i) + d).Store((float*)ga + i);
            }
            return;
        }
        for (int i = 0; i < n; i++)
        {
            var d = T.CreateTruncating(PowConstKernel.Grad(double.CreateTruncating(a[i]), double.CreateTruncating(g[i]), k));
            ga[i] = set ? d : ga[i] + d;
        }
    }

    /// <summary>
    /// Elementwise work (forward: no reduction, so any cut gives the same bits) in one range per
    /// thread, equal to a vector, as libtorch's parallel_for cuts (units of 8,192 elements had left one
    /// of 2 threads a unit more in most calls: forward 4-10% slower); ranges start on whole aligned
    /// vectors from the tensor's start, so that every full block starts on a cache line (streaming
    /// stores need it). Small tensors run as one unit on the calling thread.
    /// </summary>
    static int RunElements(Shape shape, int threads, Action<long, long> range)
    {
        long length = shape.Total < ParallelElements ? UnitElements : Math.Max(16, (shape.Total + 16L * threads - 1) / (16L * threads) * 16);
        return Run((shape.Total + length - 1) / length, shape.Total, threads,
            u => range(u * length, Math.Min(shape.Total, (u + 1) * length)));
    }

    /// <summary>The shape's units (planes or rows, what the d/dbeta reduction needs) over libtorch's threads; returns the team size used.</summary>
    static int Run(Shape shape, int threads, Action<long> unit) => Run(shape.Units, shape.Total, threads, unit);

    /// <summary>Units over libtorch's threads when there is enough work (<see cref="ParallelElements"/>); returns the team size used.</summary>
    static int Run(long units, long total, int threads, Action<long> unit)
    {
        int t = (int)Math.Min(threads, units);
        if (t <= 1 || total < ParallelElements)
        {
            for (long u = 0; u < units; u++) unit(u);
            return 1;
        }
        return OpenMp.For(units, t, unit);
    }
}
