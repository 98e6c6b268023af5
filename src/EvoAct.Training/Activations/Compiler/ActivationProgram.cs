using EvoAct.Search.Expressions;
using EvoAct.Search.Ops;

namespace EvoAct.Training.Activations.Compiler;

/// <summary>
/// An expression compiled to a straight-line program of primitive ops over registers: register 0 is
/// x, register i + 1 the result of instruction i. Identical beta-free subexpressions share one
/// register (sin(x) written twice is computed once), and what does not reach the output is dropped
/// (the argument of beta(.)), together with its betas: those stay out of the autograd function, so
/// their gradient stays undefined exactly as on the composed path.
/// <para>
/// Pure data, no TorchSharp: the interpreter (<see cref="BlockInterpreter{T}"/>) runs it over
/// cache-sized blocks, and backward walks it in reverse with one adjoint register per register.
/// </para>
/// </summary>
internal sealed class ActivationProgram
{
    public IReadOnlyList<Instruction> Instructions { get; }

    /// <summary>The register holding the activation's value.</summary>
    public int Output { get; }

    /// <summary>For each beta input slot, the index of the module's beta it reads (evaluation order).</summary>
    public IReadOnlyList<int> BetaInputs { get; }

    /// <summary>Whether the output depends on x at all (beta(x) does not: its gradient w.r.t. x is undefined, not 0).</summary>
    public bool UsesX { get; }

    /// <summary>
    /// For instruction i, whether its contribution to the adjoint of operand A (resp. B) is the first
    /// one in the reverse sweep (so it sets the adjoint register instead of adding to it; no zeroing
    /// pass), or null when that operand needs no adjoint (a constant).
    /// </summary>
    internal readonly bool?[] SetsA, SetsB;

    public int Registers => Instructions.Count + 1;

    /// <summary>The beta instructions as (register, slot) pairs: what every block fills, without walking the code (an interface call per instruction).</summary>
    internal readonly (int Register, int Slot)[] BetaRegisters;

    /// <summary>The generated float32 loops (<see cref="KernelGenerator"/>), when the program has them; else it is interpreted.</summary>
    internal GeneratedLoops? Generated { get; set; }

    /// <summary>
    /// Whether training keeps x and backward evaluates the derivatives again (<see cref="BlockInterpreter{T}.BackwardFromInput"/>,
    /// one generated pass that reads x and the gradient and writes d/dx), rather than forward storing
    /// f'(x) and each df/dbeta for backward to read. Storing costs memory traffic per stored tensor (a
    /// write forward, a read backward), recomputing costs one more evaluation, whose price is in its
    /// transcendentals, divisions and roots: so a program recomputes when it has no more of those than
    /// betas (<see cref="RecomputeCost"/> at most BetaInputs.Count). Without a beta that is plain
    /// arithmetic alone; Swish, one sigmoid and one beta, recomputes. Both give the same bits (tested),
    /// so this is a matter of speed only. Measured (scripts/bench-trainer.sh's 28 activations, every
    /// program both ways, alternating processes, 3 rounds on cpu-proxy and 2 on ResNet-20, AMD EPYC):
    /// of the 7 programs the rule picks, 6 were level or up to 4% faster recomputed and one
    /// (min(logabs(gaussdiff(beta, abs(x))), min0(x)): an exp and a log for two betas) 1-5% slower;
    /// programs of more transcendentals than betas were up to 16% slower, and without a beta one
    /// transcendental was level (+-2%). On a network whose activations do not fit in the cache (the
    /// proxy at width 8 and full resolution) Swish recomputed took 1.156 of ReLU's step against 1.350
    /// stored. Settable for the tests, which compare the two.
    /// </summary>
    internal bool RecomputesInBackward { get; set; }

    /// <summary>The instructions that are not plain arithmetic (<see cref="IsPlainArithmetic"/>): what evaluating the program again costs, roughly.</summary>
    internal static int RecomputeCost(IEnumerable<Instruction> code) => code.Count(ins => !IsPlainArithmetic(ins));

    /// <summary>No transcendental, division, root or general power: a few vector instructions per op.</summary>
    internal static bool IsPlainArithmetic(Instruction ins) => ins.Op switch
    {
        OpCode.Const or OpCode.Beta or OpCode.Neg or OpCode.Abs or OpCode.Square or OpCode.Cube or OpCode.Relu or OpCode.Min0
            or OpCode.Add or OpCode.Sub or OpCode.Mul or OpCode.Max or OpCode.Min => true,
        // Squares and cubes are multiplications (PowConstKernel); other powers take roots, divisions or loops.
        OpCode.PowConst => ins.K is 0.0 or 1.0 or 2.0 or 3.0,
        _ => false,
    };

    ActivationProgram(List<Instruction> code, int output, List<int> betaInputs)
    {
        Instructions = code;
        Output = output;
        BetaInputs = betaInputs;
        BetaRegisters = code.Select((ins, i) => (ins, i)).Where(t => t.ins.Op == OpCode.Beta).Select(t => (t.i + 1, t.ins.Beta)).ToArray();
        SetsA = new bool?[code.Count];
        SetsB = new bool?[code.Count];
        var needsAdjoint = new bool[code.Count + 1];
        needsAdjoint[0] = true;
        for (int i = 0; i < code.Count; i++)
        {
            var ins = code[i];
            needsAdjoint[i + 1] = ins.Op == OpCode.Beta || (ins.A >= 0 && needsAdjoint[ins.A]) || (ins.B >= 0 && needsAdjoint[ins.B]);
        }
        var written = new bool[code.Count + 1];
        for (int i = code.Count - 1; i >= 0; i--)
        {
            var ins = code[i];
            if (!needsAdjoint[i + 1]) continue;
            if (ins.A >= 0 && needsAdjoint[ins.A]) { SetsA[i] = !written[ins.A]; written[ins.A] = true; }
            if (ins.B >= 0 && needsAdjoint[ins.B]) { SetsB[i] = !written[ins.B]; written[ins.B] = true; }
        }
        UsesX = written[0] || output == 0;
        RecomputesInBackward = RecomputeCost(code) <= betaInputs.Count;
    }

    /// <summary>Lowers <paramref name="expr"/>; betas are numbered as <see cref="Expr.BetaCount"/> and the composed path number them.</summary>
    public static ActivationProgram Compile(Expr expr)
    {
        var b = new Builder();
        int next = 0;
        int output = b.Lower(expr, ref next);
        return b.Finish(output);
    }

    public override string ToString() =>
        string.Join("; ", Instructions.Select((ins, i) => $"r{i + 1} = {ins.Op}" + ins.Op switch
        {
            OpCode.Const => $" {ins.K}",
            OpCode.Beta => $" #{BetaInputs[ins.Beta]}",
            OpCode.PowConst => $" r{ins.A} {ins.K}",
            _ => ins.IsBinary ? $" r{ins.A} r{ins.B}" : $" r{ins.A}",
        })) + $" -> r{Output}";

    sealed class Builder
    {
        readonly List<Instruction> code = [];
        readonly Dictionary<Instruction, int> shared = [];   // beta-free instructions already emitted -> register

        int Emit(Instruction ins)
        {
            // Every Beta instruction is its own parameter; everything else is a pure function of its
            // operands and may be shared.
            if (ins.Op != OpCode.Beta && shared.TryGetValue(ins, out var reg)) return reg;
            code.Add(ins);
            reg = code.Count;
            if (ins.Op != OpCode.Beta) shared[ins] = reg;
            return reg;
        }

        int Const(double k) => Emit(new(OpCode.Const, K: k));
        int Un(OpCode op, int a) => Emit(new(op, a));
        int Bin(OpCode op, int a, int b) => Emit(new(op, a, b));
        int Beta(ref int next) => Emit(new(OpCode.Beta, Beta: next++));

        public int Lower(Expr e, ref int next)
        {
            switch (e)
            {
                case VarX: return 0;
                case BetaParam: return Beta(ref next);
                case Constant c: return Const(c.Value);
                case UnaryCall u:
                {
                    int a = Lower(u.Arg, ref next);
                    return u.Op switch
                    {
                        UnaryOp.X => a,
                        UnaryOp.Neg => Un(OpCode.Neg, a),
                        UnaryOp.Abs => Un(OpCode.Abs, a),
                        UnaryOp.Square => Un(OpCode.Square, a),
                        UnaryOp.Cube => Un(OpCode.Cube, a),
                        UnaryOp.Sqrt => Un(OpCode.Sqrt, a),
                        UnaryOp.Scale => Bin(OpCode.Mul, a, Beta(ref next)),
                        UnaryOp.Shift => Bin(OpCode.Add, a, Beta(ref next)),
                        UnaryOp.LogAbs => Un(OpCode.Log, Bin(OpCode.Add, Un(OpCode.Abs, a), Const(OpNames.Eps))),
                        UnaryOp.Exp => Un(OpCode.Exp, a),
                        UnaryOp.Sin => Un(OpCode.Sin, a),
                        UnaryOp.Cos => Un(OpCode.Cos, a),
                        UnaryOp.Sinh => Un(OpCode.Sinh, a),
                        UnaryOp.Cosh => Un(OpCode.Cosh, a),
                        UnaryOp.Tanh => Un(OpCode.Tanh, a),
                        UnaryOp.Asinh => Un(OpCode.Asinh, a),
                        UnaryOp.Atan => Un(OpCode.Atan, a),
                        UnaryOp.Sinc => Un(OpCode.Sinc, a),
                        UnaryOp.Relu => Un(OpCode.Relu, a),
                        UnaryOp.Min0 => Un(OpCode.Min0, a),
                        UnaryOp.Sigmoid => Un(OpCode.Sigmoid, a),
                        UnaryOp.Softplus => Un(OpCode.Softplus, a),
                        UnaryOp.Gauss => Un(OpCode.Exp, Un(OpCode.Neg, Un(OpCode.Square, a))),
                        UnaryOp.Erf => Un(OpCode.Erf, a),
                        UnaryOp.Beta => Beta(ref next),   // beta(a) ignores a: a is dropped below unless used elsewhere
                        _ => throw new ArgumentOutOfRangeException(nameof(e)),
                    };
                }
                case BinaryCall bc:
                {
                    int a = Lower(bc.Left, ref next), b = Lower(bc.Right, ref next);
                    switch (bc.Op)
                    {
                        case BinaryOp.Add: return Bin(OpCode.Add, a, b);
                        case BinaryOp.Mul: return Bin(OpCode.Mul, a, b);
                        case BinaryOp.Sub: return Bin(OpCode.Sub, a, b);
                        case BinaryOp.Div: return Bin(OpCode.Div, a, Bin(OpCode.Add, b, Const(OpNames.Eps)));
                        case BinaryOp.Max: return Bin(OpCode.Max, a, b);
                        case BinaryOp.Min: return Bin(OpCode.Min, a, b);
                        case BinaryOp.Sigmul: return Bin(OpCode.Mul, Un(OpCode.Sigmoid, a), b);
                        case BinaryOp.GaussDiff:
                        {
                            int d = Un(OpCode.Square, Bin(OpCode.Sub, a, b));
                            return Un(OpCode.Exp, Bin(OpCode.Mul, d, Un(OpCode.Neg, Beta(ref next))));
                        }
                        case BinaryOp.LaplaceDiff:
                        {
                            int d = Un(OpCode.Abs, Bin(OpCode.Sub, a, b));
                            return Un(OpCode.Exp, Bin(OpCode.Mul, d, Un(OpCode.Neg, Beta(ref next))));
                        }
                        case BinaryOp.Mix:
                        {
                            // beta * a + (1 - beta) * b, as the composed path writes it.
                            int beta = Beta(ref next);
                            return Bin(OpCode.Add, Bin(OpCode.Mul, beta, a), Bin(OpCode.Mul, Bin(OpCode.Sub, Const(1), beta), b));
                        }
                        default: throw new ArgumentOutOfRangeException(nameof(e));
                    }
                }
                case Power p:
                {
                    int a = Lower(p.Base, ref next);
                    if (p.Exponent is Constant k) return Emit(new(OpCode.PowConst, a, K: k.Value));
                    int b = Lower(p.Exponent, ref next);
                    return Bin(OpCode.Pow, a, b);
                }
                default: throw new ArgumentOutOfRangeException(nameof(e));
            }
        }

        /// <summary>Drops what does not reach the output and renumbers registers and beta slots.</summary>
        public ActivationProgram Finish(int output)
        {
            var live = new bool[code.Count + 1];
            live[output] = true;
            for (int i = code.Count - 1; i >= 0; i--)
            {
                if (!live[i + 1]) continue;
                if (code[i].A >= 0) live[code[i].A] = true;
                if (code[i].B >= 0) live[code[i].B] = true;
            }
            var map = new int[code.Count + 1];
            var kept = new List<Instruction>();
            var betas = new List<int>();
            for (int i = 0; i < code.Count; i++)
            {
                if (!live[i + 1]) continue;
                var ins = code[i];
                if (ins.Op == OpCode.Beta)
                {
                    betas.Add(ins.Beta);
                    ins = ins with { Beta = betas.Count - 1 };
                }
                else ins = ins with { A = ins.A >= 0 ? map[ins.A] : -1, B = ins.B >= 0 ? map[ins.B] : -1 };
                kept.Add(ins);
                map[i + 1] = kept.Count;
            }
            return new ActivationProgram(kept, map[output], betas);
        }
    }
}
