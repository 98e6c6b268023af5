using System.Linq.Expressions;
using System.Reflection;
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
                                   ParameterExpression[] betaPtrs, ParameterExpression?[]? d)
    {
        var body = new List<Expression> { Expression.Assign(v[0], Expression.Call(M(typeof(KernelGenerator), nameof(Ld), typeof(nint), typeof(int)), x, i)) };
        var code = p.Instructions;
        for (int j = 0; j < code.Count; j++)
        {
            var ins = code[j];
            var dst = v[j + 1];
            Expression? value = ins.Op switch
            {
                OpCode.Const => null,   // set once before the loop
                OpCode.Beta => Expression.Call(M(typeof(KernelGenerator), nameof(Ld), typeof(nint), typeof(int)), betaPtrs[ins.Beta], i),
                OpCode.PowConst => Expression.Call(M(typeof(PowConstKernel), nameof(PowConstKernel.Value), VT, typeof(double)), v[ins.A], Expression.Constant(ins.K)),
                _ when d?[j + 1] is { } dj => Expression.Call(M(UnaryKernel(ins.Op), "Both", VT, VT.MakeByRefType()), v[ins.A], dj),
                _ when ins.IsBinary => Expression.Call(M(BinaryKernel(ins.Op), "Value", VT, VT), v[ins.A], v[ins.B]),
                _ => Expression.Call(M(UnaryKernel(ins.Op), "Value", VT), v[ins.A]),
            };
            if (value is not null) body.Add(Expression.Assign(dst, value));
        }
        return body;
    }

    static Expression Loop(ParameterExpression i, ParameterExpression n, List<Expression> body)
    {
        var end = Expression.Label();
        body.Add(Expression.AddAssign(i, Expression.Constant(V.Count)));
        return Expression.Block(
            Expression.Assign(i, Expression.Constant(0)),
            Expression.Loop(Expression.IfThenElse(Expression.LessThan(i, n), Expression.Block(body), Expression.Break(end)), end));
    }

    static List<Expression> Setup(ActivationProgram p, ParameterExpression betas, ParameterExpression[] v, ParameterExpression[] betaPtrs)
    {
        var setup = new List<Expression>();
        for (int k = 0; k < betaPtrs.Length; k++)
            setup.Add(Expression.Assign(betaPtrs[k], Expression.Call(M(typeof(KernelGenerator), nameof(At), typeof(nint), typeof(int)), betas, Expression.Constant(k))));
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
        var bp = p.BetaInputs.Select((_, k) => Expression.Variable(typeof(nint), $"beta{k}")).ToArray();
        var body = Values(p, x, i, v, bp, null);
        body.Add(Expression.Call(M(typeof(KernelGenerator), nameof(St), typeof(nint), typeof(int), VT), y, i, v[p.Output]));
        var block = Expression.Block([i, .. v, .. bp], [.. Setup(p, betas, v, bp), Loop(i, n, body)]);
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
        var block = Sweep(p, x, betas, betaAdj, n,
            // y, then f'(x) and each df/dbeta as they are: backward multiplies them by the gradient.
            (i, v) => [Expression.Call(M(typeof(KernelGenerator), nameof(St), typeof(nint), typeof(int), VT), y, i, v[p.Output])],
            (to, i, adjoint) => Expression.Call(stStream, to, i, adjoint, stream), dx);
        return Expression.Lambda<GeneratedLoops.ForwardTrain>(block, x, betas, y, dx, betaAdj, n, stream).Compile();
    }

    static GeneratedLoops.Gradient BuildGradient(ActivationProgram p)
    {
        var x = Ptr("x");
        var betas = Ptr("betas");
        var g = Ptr("g");
        var gx = Ptr("gx");
        var products = Ptr("betaProducts");
        var n = Expression.Parameter(typeof(int), "n");
        var gi = Expression.Variable(VT, "gi");
        var ld = M(typeof(KernelGenerator), nameof(Ld), typeof(nint), typeof(int));
        var st = M(typeof(KernelGenerator), nameof(St), typeof(nint), typeof(int), VT);
        var mul = M(typeof(KernelGenerator), nameof(Mul), VT, VT);
        var block = Sweep(p, x, betas, products, n,
            // The incoming gradient instead of y; every derivative leaves multiplied by it, as the
            // stored path multiplies what it stored (the same products, so the same bits).
            (i, v) => [Expression.Assign(gi, Expression.Call(ld, g, i))],
            (to, i, adjoint) => Expression.Call(st, to, i, Expression.Call(mul, gi, adjoint)),
            gx, gi);
        return Expression.Lambda<GeneratedLoops.Gradient>(block, x, betas, g, gx, products, n).Compile();
    }

    /// <summary>
    /// The loop of the training evaluation: every register's value, then one reverse sweep seeded with 1
    /// (the adjoints are the derivatives of the output). <paramref name="afterValues"/> gives the
    /// statements after the values; <paramref name="store"/> writes an adjoint (each beta's, and
    /// x's last) to <paramref name="betaOuts"/>[slot] or to <paramref name="dOut"/>.
    /// </summary>
    static BlockExpression Sweep(ActivationProgram p, ParameterExpression x, ParameterExpression betas, ParameterExpression betaOuts, ParameterExpression n,
                                 Func<ParameterExpression, ParameterExpression[], Expression[]> afterValues,
                                 Func<Expression, ParameterExpression, Expression, Expression> store,
                                 ParameterExpression dOut, ParameterExpression? extraLocal = null)
    {
        var i = Expression.Variable(typeof(int), "i");
        var v = Registers(p, "v");
        var a = Registers(p, "a");
        var code = p.Instructions;
        var d = new ParameterExpression?[p.Registers];
        for (int j = 0; j < code.Count; j++)
            if (HasDerivative(code[j].Op)) d[j + 1] = Expression.Variable(VT, $"d{j + 1}");
        var bp = p.BetaInputs.Select((_, k) => Expression.Variable(typeof(nint), $"beta{k}")).ToArray();
        var bap = p.BetaInputs.Select((_, k) => Expression.Variable(typeof(nint), $"betaAdjoint{k}")).ToArray();
        var mul = M(typeof(KernelGenerator), nameof(Mul), VT, VT);
        var add = M(typeof(KernelGenerator), nameof(Add), VT, VT);

        var body = Values(p, x, i, v, bp, d);
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
                body.Add(store(bap[ins.Beta], i, gy));
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
        body.Add(store(dOut, i, a[0]));
        var setup = Setup(p, betas, v, bp);
        for (int k = 0; k < bap.Length; k++)
            setup.Add(Expression.Assign(bap[k], Expression.Call(M(typeof(KernelGenerator), nameof(At), typeof(nint), typeof(int)), betaOuts, Expression.Constant(k))));
        var locals = new List<ParameterExpression> { i };
        locals.AddRange(v);
        locals.AddRange(a);
        locals.AddRange(d.OfType<ParameterExpression>());
        locals.AddRange(bp);
        locals.AddRange(bap);
        if (extraLocal is not null) locals.Add(extraLocal);
        return Expression.Block(locals, [.. setup, Loop(i, n, body)]);
    }
}
