using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

#if WIDE
using V = System.Runtime.Intrinsics.Vector512<float>;
using VI = System.Runtime.Intrinsics.Vector512<int>;
using VX = System.Runtime.Intrinsics.Vector512;
namespace EvoAct.Training.Activations.Compiler.Wide;
#else
using V = System.Runtime.Intrinsics.Vector256<float>;
using VI = System.Runtime.Intrinsics.Vector256<int>;
using VX = System.Runtime.Intrinsics.Vector256;
namespace EvoAct.Training.Activations.Compiler;
#endif

/// <summary>
/// Generates, per program, the float32 block loops as code (System.Linq.Expressions over Vector256,
/// compiled once and JIT-inlined): every register lives in a CPU register (or the stack) for 8 lanes
/// at a time (16 over Vector512 in the Wide build of this file, see EvoAct.Training.csproj), so an
/// op costs its arithmetic only, not a pass over the block with its loads and stores.
/// Measured on the interpreter first: genomes of pure arithmetic (mix((relu(x) - beta)^3, beta * x))
/// cost as much as transcendental ones, their time going to the passes. The ops are the same kernel
/// functions the interpreter calls (<see cref="OpKernels"/>), in the same order, so the results are
/// bit for bit the interpreter's (tested). The block framework around them (betas in, derivatives
/// out, units over threads) is the interpreter's. Two loops per program: values alone (evaluation),
/// and values with the derivatives of the output, from one reverse sweep seeded with 1 (training).
/// </summary>
internal static unsafe class KernelGenerator
{
    /// <summary>Programs longer than this stay interpreted: the generated method would spill everything and take long to JIT.</summary>
    public const int MaxInstructions = 48;

    /// <summary>The loops of <paramref name="p"/> at this width, or null for a program too long to generate (it stays interpreted).</summary>
    public static GeneratedLoops? Generate(ActivationProgram p)
    {
        if (p.Instructions.Count > MaxInstructions) return null;
        return new GeneratedLoops(BuildForward(p), () => BuildForwardTrain(p), () => BuildGradient(p), V.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static V Ld(nint p, int i) => VX.Load((float*)p + i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void St(nint p, int i, V v) => v.Store((float*)p + i);
    /// <summary>A store that bypasses the caches where asked and the address allows (whole aligned vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StStream(nint p, int i, V v, bool stream)
    {
        float* a = (float*)p + i;
#if WIDE
        if (stream && System.Runtime.Intrinsics.X86.Avx512F.IsSupported && ((nint)a & 63) == 0) { System.Runtime.Intrinsics.X86.Avx512F.StoreAlignedNonTemporal(a, v); return; }
#else
        if (stream && System.Runtime.Intrinsics.X86.Avx.IsSupported && ((nint)a & 31) == 0) { System.Runtime.Intrinsics.X86.Avx.StoreAlignedNonTemporal(a, v); return; }
#endif
        v.Store(a);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static nint At(nint array, int k) => ((nint*)array)[k];
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static V Splat(float v) => VX.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static V Mul(V a, V b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static V Add(V a, V b) => a + b;

    // ---- betas: broadcast per plane, or per element from a filled register (BlockBetas) ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static BlockBetas Read(nint betas) => *(BlockBetas*)betas;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static V SplatAt(nint values, int channel) => VX.Create(((float*)values)[channel]);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static int Next(int channel, int channels) => channel + 1 == channels ? 0 : channel + 1;
    /// <summary>Lanes below k set (k may be out of [0, lanes]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static V Below(int k) => VX.LessThan(VI.Indices, VX.Create(k)).AsSingle();

    /// <summary>The beta of lanes [i, i + lanes): the plane's broadcast (<paramref name="current"/>), split where the plane ends in this vector, or the filled register's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static V BetaAt(bool planes, nint values, int i, V current, int left, int channel, int channels) =>
        !planes ? Ld(values, i) : left >= V.Count ? current : Straddle(current, values, channel, left, channels);

    /// <summary>A vector whose first <paramref name="inPlane"/> lanes end a plane: the rest take the next channel's beta.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static V Straddle(V current, nint values, int channel, int inPlane, int channels) =>
        VX.ConditionalSelect(Below(inPlane), current, SplatAt(values, Next(channel, channels)));

    /// <summary>
    /// A vector of g df/dbeta, in planes mode into the running sums of its plane's piece of the block:
    /// 16 lanes (element j of the block in lane j mod 16), in one register (<paramref name="low"/>) or,
    /// 8 lanes wide, two (<paramref name="high"/> for lanes 8-15), so that every lane adds the same
    /// values in the same order at either width. Where the plane ends the lanes are split: the sums go
    /// to the channel's lane sums in memory (<see cref="Flush"/>) and start again from +0 for the next
    /// plane. Lanes past the block's valid elements are left out. In elements mode the products are
    /// stored for the interpreter's reduction.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Sink(bool planes, nint sums, int channel, int left, int i, int valid, V product, ref V low, ref V high)
    {
        if (!planes)
        {
            St(sums, i, product);
            return;
        }
        bool upper = V.Count == 8 && (i & 8) != 0;
        if (left >= V.Count && i + V.Count <= valid)
        {
            // The whole vector in the plane (the usual case, and every vector of a 4x4 plane): no masks.
            if (upper) high += product;
            else low += product;
        }
        // A vector that the plane's end splits, or the block's last: a few times per plane at most.
        else AddWhere(Below(left) & Below(valid - i), product, upper, ref low, ref high);
        if (left > V.Count) return;
        // The plane ends in this vector: its sums out, and the valid lanes past its end start the next plane's from +0.
        Flush(sums, channel, low, high);
        low = V.Zero;
        high = V.Zero;
        if (left < V.Count) AddWhere(VX.AndNot(Below(valid - i), Below(left)), product, upper, ref low, ref high);
    }

    /// <summary>The lanes of <paramref name="product"/> under <paramref name="mask"/> into the running sums of its half (8 lanes wide) or all of them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void AddWhere(V mask, V product, bool upper, ref V low, ref V high)
    {
        if (upper) high = VX.ConditionalSelect(mask, high + product, high);
        else low = VX.ConditionalSelect(mask, low + product, low);
    }

    /// <summary>A plane's piece of the block ends: its running sums into the channel's 16 lane sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Flush(nint sums, int channel, V low, V high)
    {
        float* s = (float*)sums + channel * BlockBetas.Lanes;
        (VX.Load(s) + low).Store(s);
        if (V.Count == 8) (VX.Load(s + 8) + high).Store(s + 8);
    }

    /// <summary>After the block: the last plane's running sums (planes mode).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void FlushLast(bool planes, nint sums, int channel, V low, V high)
    {
        if (planes) Flush(sums, channel, low, high);
    }

    static MethodInfo M(Type t, string name, params Type[] args) =>
        t.GetMethod(name, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, args) ?? throw new MissingMethodException(t.Name, name);

    static readonly Type VT = typeof(V);

    /// <summary>A pointer parameter of a generated loop.</summary>
    static ParameterExpression Ptr(string name) => Expression.Parameter(typeof(nint), name);

    static Type UnaryKernel(OpCode op) => op switch
    {
        OpCode.Neg => typeof(NegK), OpCode.Abs => typeof(AbsK), OpCode.Square => typeof(SquareK), OpCode.Cube => typeof(CubeK),
        OpCode.Sqrt => typeof(SqrtK), OpCode.Log => typeof(LogK), OpCode.Exp => typeof(ExpK), OpCode.Sin => typeof(SinK),
        OpCode.Cos => typeof(CosK), OpCode.Sinh => typeof(SinhK), OpCode.Cosh => typeof(CoshK), OpCode.Tanh => typeof(TanhK),
        OpCode.Asinh => typeof(AsinhK), OpCode.Atan => typeof(AtanK), OpCode.Sinc => typeof(SincK), OpCode.Relu => typeof(ReluK),
        OpCode.Min0 => typeof(Min0K), OpCode.Sigmoid => typeof(SigmoidK), OpCode.Softplus => typeof(SoftplusK), OpCode.Erf => typeof(ErfK),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    static Type BinaryKernel(OpCode op) => op switch
    {
        OpCode.Add => typeof(AddK), OpCode.Sub => typeof(SubK), OpCode.Mul => typeof(MulK), OpCode.Div => typeof(DivK),
        OpCode.Max => typeof(MaxK), OpCode.Min => typeof(MinK), OpCode.Pow => typeof(PowK),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    /// <summary>The ops whose backward takes the derivative from the value's evaluation (as the interpreter does).</summary>
    static bool HasDerivative(OpCode op) =>
        op is not (OpCode.Const or OpCode.Beta or OpCode.PowConst) && op < OpCode.Add && typeof(IDerivativeKernel).IsAssignableFrom(UnaryKernel(op));

    /// <summary>The statements that compute every register for lane offset i into v (and derivatives into d, in backward).</summary>
    static List<Expression> Values(ActivationProgram p, ParameterExpression x, ParameterExpression i, ParameterExpression[] v,
                                   BetaCursor betas, ParameterExpression?[]? d)
    {
        var body = new List<Expression>
        {
            betas.Top(i),
            Expression.Assign(v[0], Expression.Call(M(typeof(KernelGenerator), nameof(Ld), typeof(nint), typeof(int)), x, i)),
        };
        var code = p.Instructions;
        for (int j = 0; j < code.Count; j++)
        {
            var ins = code[j];
            var dst = v[j + 1];
            Expression? value = ins.Op switch
            {
                OpCode.Const => null,   // set once before the loop
                OpCode.Beta => betas.At(ins.Beta, i),
                OpCode.PowConst => Expression.Call(M(typeof(PowConstKernel), nameof(PowConstKernel.Value), VT, typeof(double)), v[ins.A], Expression.Constant(ins.K)),
                _ when d?[j + 1] is { } dj => Expression.Call(M(UnaryKernel(ins.Op), "Both", VT, VT.MakeByRefType()), v[ins.A], dj),
                _ when ins.IsBinary => Expression.Call(M(BinaryKernel(ins.Op), "Value", VT, VT), v[ins.A], v[ins.B]),
                _ => Expression.Call(M(UnaryKernel(ins.Op), "Value", VT), v[ins.A]),
            };
            if (value is not null) body.Add(Expression.Assign(dst, value));
        }
        return body;
    }

    static Expression Loop(ParameterExpression i, ParameterExpression n, List<Expression> body, BetaCursor betas)
    {
        var end = Expression.Label();
        body.Add(betas.Advance());
        body.Add(Expression.AddAssign(i, Expression.Constant(V.Count)));
        return Expression.Block(
            Expression.Assign(i, Expression.Constant(0)),
            Expression.Loop(Expression.IfThenElse(Expression.LessThan(i, n), Expression.Block(body), Expression.Break(end)), end));
    }

    static List<Expression> Setup(ActivationProgram p, BetaCursor betas, ParameterExpression[] v)
    {
        var setup = betas.Setup();
        for (int j = 0; j < p.Instructions.Count; j++)
            if (p.Instructions[j].Op == OpCode.Const)
                setup.Add(Expression.Assign(v[j + 1], Expression.Call(M(typeof(KernelGenerator), nameof(Splat), typeof(float)), Expression.Constant((float)p.Instructions[j].K))));
        return setup;
    }

    static ParameterExpression[] Registers(ActivationProgram p, string prefix) =>
        Enumerable.Range(0, p.Registers).Select(r => Expression.Variable(VT, $"{prefix}{r}")).ToArray();

    static GeneratedLoops.Forward BuildForward(ActivationProgram p)
    {
        var x = Ptr("x");
        var betas = Ptr("betas");
        var y = Ptr("y");
        var n = Expression.Parameter(typeof(int), "n");
        var i = Expression.Variable(typeof(int), "i");
        var v = Registers(p, "v");
        var cursor = new BetaCursor(p, betas, sums: false);
        var body = Values(p, x, i, v, cursor, null);
        body.Add(Expression.Call(M(typeof(KernelGenerator), nameof(St), typeof(nint), typeof(int), VT), y, i, v[p.Output]));
        var block = Expression.Block([i, .. v, .. cursor.Locals], [.. Setup(p, cursor, v), Loop(i, n, body, cursor)]);
        return Expression.Lambda<GeneratedLoops.Forward>(block, x, betas, y, n).Compile();
    }

    static GeneratedLoops.ForwardTrain BuildForwardTrain(ActivationProgram p)
    {
        var x = Ptr("x");
        var betas = Ptr("betas");
        var y = Ptr("y");
        var dx = Ptr("d");
        var betaAdj = Ptr("betaDerivatives");
        var n = Expression.Parameter(typeof(int), "n");
        var stream = Expression.Parameter(typeof(bool), "stream");
        var stStream = M(typeof(KernelGenerator), nameof(StStream), typeof(nint), typeof(int), VT, typeof(bool));
        var outs = p.BetaInputs.Select((_, k) => Expression.Variable(typeof(nint), $"betaDerivative{k}")).ToArray();
        var cursor = new BetaCursor(p, betas, sums: false);
        var block = Sweep(p, x, cursor, n,
            // y, then f'(x) and each df/dbeta as they are: backward multiplies them by the gradient.
            (i, v) => [Expression.Call(M(typeof(KernelGenerator), nameof(St), typeof(nint), typeof(int), VT), y, i, v[p.Output])],
            (slot, i, adjoint) => Expression.Call(stStream, outs[slot], i, adjoint, stream),
            (i, adjoint) => Expression.Call(stStream, dx, i, adjoint, stream),
            [.. outs.Select((o, k) => Expression.Assign(o, Expression.Call(M(typeof(KernelGenerator), nameof(At), typeof(nint), typeof(int)), betaAdj, Expression.Constant(k))))],
            outs);
        return Expression.Lambda<GeneratedLoops.ForwardTrain>(block, x, betas, y, dx, betaAdj, n, stream).Compile();
    }

    static GeneratedLoops.Gradient BuildGradient(ActivationProgram p)
    {
        var x = Ptr("x");
        var betas = Ptr("betas");
        var g = Ptr("g");
        var gx = Ptr("gx");
        var n = Expression.Parameter(typeof(int), "n");
        var gi = Expression.Variable(VT, "gi");
        var ld = M(typeof(KernelGenerator), nameof(Ld), typeof(nint), typeof(int));
        var st = M(typeof(KernelGenerator), nameof(St), typeof(nint), typeof(int), VT);
        var mul = M(typeof(KernelGenerator), nameof(Mul), VT, VT);
        var cursor = new BetaCursor(p, betas, sums: true);
        var block = Sweep(p, x, cursor, n,
            // The incoming gradient instead of y; every derivative leaves multiplied by it, as the
            // stored path multiplies what it stored (the same products, so the same bits), and each
            // beta's into its sums (or the block's products).
            (i, v) => [Expression.Assign(gi, Expression.Call(ld, g, i))],
            (slot, i, adjoint) => cursor.Sink(slot, i, Expression.Call(mul, gi, adjoint)),
            (i, adjoint) => Expression.Call(st, gx, i, Expression.Call(mul, gi, adjoint)),
            [], [gi]);
        return Expression.Lambda<GeneratedLoops.Gradient>(block, x, betas, g, gx, n).Compile();
    }

    /// <summary>
    /// The loop of the training evaluation: every register's value, then one reverse sweep seeded with 1
    /// (the adjoints are the derivatives of the output). <paramref name="afterValues"/> gives the
    /// statements after the values; <paramref name="betaAdjoint"/> takes a beta slot's adjoint and
    /// <paramref name="xAdjoint"/> x's, last; <paramref name="setup"/> and <paramref name="locals"/> are the caller's.
    /// </summary>
    static BlockExpression Sweep(ActivationProgram p, ParameterExpression x, BetaCursor betas, ParameterExpression n,
                                 Func<ParameterExpression, ParameterExpression[], Expression[]> afterValues,
                                 Func<int, ParameterExpression, Expression, Expression> betaAdjoint,
                                 Func<ParameterExpression, Expression, Expression> xAdjoint,
                                 Expression[] setup, ParameterExpression[] locals)
    {
        var i = Expression.Variable(typeof(int), "i");
        var v = Registers(p, "v");
        var a = Registers(p, "a");
        var code = p.Instructions;
        var d = new ParameterExpression?[p.Registers];
        for (int j = 0; j < code.Count; j++)
            if (HasDerivative(code[j].Op)) d[j + 1] = Expression.Variable(VT, $"d{j + 1}");
        var mul = M(typeof(KernelGenerator), nameof(Mul), VT, VT);
        var add = M(typeof(KernelGenerator), nameof(Add), VT, VT);

        var body = Values(p, x, i, v, betas, d);
        body.AddRange(afterValues(i, v));
        // The sweep seeded with 1: the adjoints are the derivatives of the output.
        body.Add(Expression.Assign(a[p.Output], Expression.Call(M(typeof(KernelGenerator), nameof(Splat), typeof(float)), Expression.Constant(1f))));
        Expression Accumulate(int reg, bool set, Expression contribution) =>
            Expression.Assign(a[reg], set ? contribution : Expression.Call(add, a[reg], contribution));
        for (int j = code.Count - 1; j >= 0; j--)
        {
            var ins = code[j];
            bool? setA = p.SetsA[j], setB = p.SetsB[j];
            var gy = a[j + 1];
            if (ins.Op == OpCode.Beta)
            {
                body.Add(betaAdjoint(ins.Beta, i, gy));
                continue;
            }
            if (setA is { } sa)
            {
                Expression c = ins.Op switch
                {
                    OpCode.PowConst => Expression.Call(M(typeof(PowConstKernel), nameof(PowConstKernel.Grad), VT, VT, typeof(double)), v[ins.A], gy, Expression.Constant(ins.K)),
                    _ when d[j + 1] is { } dj => Expression.Call(mul, gy, dj),
                    _ when ins.IsBinary => Expression.Call(M(BinaryKernel(ins.Op), "GradA", VT, VT, VT, VT), v[ins.A], v[ins.B], v[j + 1], gy),
                    _ => Expression.Call(M(UnaryKernel(ins.Op), "Grad", VT, VT, VT), v[ins.A], v[j + 1], gy),
                };
                body.Add(Accumulate(ins.A, sa, c));
            }
            if (setB is { } sb)
                body.Add(Accumulate(ins.B, sb, Expression.Call(M(BinaryKernel(ins.Op), "GradB", VT, VT, VT, VT), v[ins.A], v[ins.B], v[j + 1], gy)));
        }
        body.Add(xAdjoint(i, a[0]));
        return Expression.Block([i, .. v, .. a, .. d.OfType<ParameterExpression>(), .. betas.Locals, .. locals],
                                [.. Setup(p, betas, v), .. setup, Loop(i, n, body, betas), .. betas.Finish(), Expression.Empty()]);
    }

    /// <summary>
    /// The generated side of <see cref="BlockBetas"/>: locals for the plane's channel, end and broadcast
    /// betas, read once per block; per vector whether the plane ends in it, each slot's beta, each
    /// slot's g df/dbeta into its sums; after the vector, the next plane where this one ended.
    /// </summary>
    sealed class BetaCursor
    {
        readonly ParameterExpression source, state = Expression.Variable(typeof(BlockBetas), "block");
        readonly ParameterExpression planes = Expression.Variable(typeof(bool), "planes"), crossing = Expression.Variable(typeof(bool), "crossing");
        readonly ParameterExpression left = Expression.Variable(typeof(int), "left");
        readonly ParameterExpression channel = Expression.Variable(typeof(int), "channel"), end = Expression.Variable(typeof(int), "end");
        readonly ParameterExpression inner = Expression.Variable(typeof(int), "inner"), channels = Expression.Variable(typeof(int), "channels");
        readonly ParameterExpression valid = Expression.Variable(typeof(int), "valid");
        readonly ParameterExpression[] values, current, sums, low, high;

        public BetaCursor(ActivationProgram p, ParameterExpression source, bool sums)
        {
            this.source = source;
            values = p.BetaInputs.Select((_, k) => Expression.Variable(typeof(nint), $"beta{k}")).ToArray();
            current = p.BetaInputs.Select((_, k) => Expression.Variable(VT, $"betaPlane{k}")).ToArray();
            this.sums = sums ? p.BetaInputs.Select((_, k) => Expression.Variable(typeof(nint), $"betaSums{k}")).ToArray() : [];
            low = this.sums.Select((_, k) => Expression.Variable(VT, $"betaLow{k}")).ToArray();
            high = this.sums.Select((_, k) => Expression.Variable(VT, $"betaHigh{k}")).ToArray();
        }

        public IEnumerable<ParameterExpression> Locals => values.Length == 0 ? [] :
            [state, planes, crossing, left, channel, end, inner, channels, valid, .. values, .. current, .. sums, .. low, .. high];

        Expression Field(string name) => Expression.Field(state, name);

        public List<Expression> Setup()
        {
            var setup = new List<Expression>();
            if (values.Length == 0) return setup;
            var at = M(typeof(KernelGenerator), nameof(At), typeof(nint), typeof(int));
            setup.Add(Expression.Assign(state, Expression.Call(M(typeof(KernelGenerator), nameof(Read), typeof(nint)), source)));
            setup.Add(Expression.Assign(planes, Expression.NotEqual(Field(nameof(BlockBetas.Planes)), Expression.Constant(0))));
            setup.Add(Expression.Assign(channel, Field(nameof(BlockBetas.Channel))));
            setup.Add(Expression.Assign(end, Field(nameof(BlockBetas.End))));
            setup.Add(Expression.Assign(inner, Field(nameof(BlockBetas.Inner))));
            setup.Add(Expression.Assign(channels, Field(nameof(BlockBetas.Channels))));
            setup.Add(Expression.Assign(valid, Field(nameof(BlockBetas.Valid))));
            for (int k = 0; k < values.Length; k++)
            {
                setup.Add(Expression.Assign(values[k], Expression.Call(at, Field(nameof(BlockBetas.Values)), Expression.Constant(k))));
                setup.Add(Expression.Assign(current[k], Expression.Condition(planes, Splat(values[k]), Expression.Default(VT))));
            }
            for (int k = 0; k < sums.Length; k++)
            {
                setup.Add(Expression.Assign(sums[k], Expression.Call(at, Field(nameof(BlockBetas.Sums)), Expression.Constant(k))));
                setup.Add(Expression.Assign(low[k], Expression.Default(VT)));
                setup.Add(Expression.Assign(high[k], Expression.Default(VT)));
            }
            return setup;
        }

        Expression Splat(ParameterExpression values) => Expression.Call(M(typeof(KernelGenerator), nameof(SplatAt), typeof(nint), typeof(int)), values, channel);

        /// <summary>The lanes left in the plane from this vector on, and whether the plane ends within it (planes mode).</summary>
        public Expression Top(ParameterExpression i) => values.Length == 0 ? Expression.Empty() :
            Expression.Block(Expression.Assign(left, Expression.Subtract(end, i)),
                             Expression.Assign(crossing, Expression.AndAlso(planes, Expression.LessThanOrEqual(left, Expression.Constant(V.Count)))));

        public Expression At(int slot, ParameterExpression i) =>
            Expression.Call(M(typeof(KernelGenerator), nameof(BetaAt), typeof(bool), typeof(nint), typeof(int), VT, typeof(int), typeof(int), typeof(int)),
                            planes, values[slot], i, current[slot], left, channel, channels);

        public Expression Sink(int slot, ParameterExpression i, Expression product) =>
            Expression.Call(M(typeof(KernelGenerator), nameof(KernelGenerator.Sink), typeof(bool), typeof(nint), typeof(int), typeof(int), typeof(int), typeof(int), VT, VT.MakeByRefType(), VT.MakeByRefType()),
                            planes, sums[slot], channel, left, i, valid, product, low[slot], high[slot]);

        /// <summary>After the loop: each slot's last running sums (backward).</summary>
        public IEnumerable<Expression> Finish() => sums.Select((s, k) =>
            (Expression)Expression.Call(M(typeof(KernelGenerator), nameof(FlushLast), typeof(bool), typeof(nint), typeof(int), VT, VT), planes, s, channel, low[k], high[k]));

        /// <summary>After a vector in which the plane ended: the next plane's channel, end and betas.</summary>
        public Expression Advance()
        {
            if (values.Length == 0) return Expression.Empty();
            var next = new List<Expression>
            {
                Expression.Assign(channel, Expression.Call(M(typeof(KernelGenerator), nameof(Next), typeof(int), typeof(int)), channel, channels)),
                Expression.AddAssign(end, inner),
            };
            next.AddRange(values.Select((v, k) => Expression.Assign(current[k], Splat(v))));
            return Expression.IfThen(crossing, Expression.Block(next));
        }
    }
}
