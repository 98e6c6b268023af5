using EvoAct.Search.Expressions;
using EvoAct.Search.Ops;
using EvoAct.Training.Activations.Compiler;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EvoAct.Training.Activations;

/// <summary>
/// A searched activation compiled to TorchSharp. Each beta (a BetaParam, or an op that uses one)
/// is its own per-channel parameter of shape [C], initialised to 1 and broadcast over dim 1, so the
/// module works on (N, C) and (N, C, H, W) alike. Betas are numbered in evaluation order.
/// </summary>
public sealed class ActivationModule : nn.Module<Tensor, Tensor>
{
    readonly Expr expr;
    readonly ParameterList betas;

    public int Channels { get; }
    public Expr Expression => expr;

    /// <param name="fuse">Run the expression fused (see <see cref="Path"/>); false always runs the
    /// composed ops, the reference the fused path is tested against (evoact.training.activation-kernels = composed).</param>
    public ActivationModule(Expr expr, int channels, bool fuse = true) : base("Activation")
    {
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels));
        this.expr = expr;
        Channels = channels;
        betas = new ParameterList();
        for (int i = 0; i < expr.BetaCount; i++) betas.Add(new Parameter(ones(channels)));
        if (fuse && IsSilu(expr)) Path = ActivationPath.Silu;
        else if (fuse && CompiledActivation.Compile(expr) is { Program.UsesX: true } compiled)
        {
            Compiled = compiled;
            Path = ActivationPath.Compiled;
        }
        else Path = ActivationPath.Composed;
        RegisterComponents();
    }

    public IReadOnlyList<Parameter> Betas => betas.ToList();

    /// <summary>How forward runs: the composed ops, or one fused kernel for the whole expression.</summary>
    public ActivationPath Path { get; }

    /// <summary>The compiled function when <see cref="Path"/> is Compiled (its stats show that it ran).</summary>
    public CompiledActivation? Compiled { get; }

    public override Tensor forward(Tensor input)
    {
        switch (Path)
        {
            // Peephole: x * sigmoid(x) (also written sigmul(x, x)) is torch's built-in SiLU.
            case ActivationPath.Silu:
                return nn.functional.silu(input);
            // Every other expression that depends on x: one custom autograd function. Inputs the
            // compiled kernels do not handle (CUDA, float16) fall through to the composed ops.
            case ActivationPath.Compiled:
            {
                var inputs = Compiled!.BetaInputs;
                var live = new Tensor[inputs.Count];
                for (int i = 0; i < live.Length; i++) live[i] = betas[inputs[i]];
                if (CompiledActivation.Supports(input, live)) return Compiled.Apply(input, live);
                break;
            }
        }
        int next = 0;
        return Eval(expr, input, ref next);
    }

    /// <summary>x * sigmoid(x) in the spellings the grammar allows: the factors either way round, or sigmul(x, x).</summary>
    static bool IsSilu(Expr e) => e is
        BinaryCall { Op: BinaryOp.Mul, Left: VarX, Right: UnaryCall { Op: UnaryOp.Sigmoid, Arg: VarX } } or
        BinaryCall { Op: BinaryOp.Mul, Left: UnaryCall { Op: UnaryOp.Sigmoid, Arg: VarX }, Right: VarX } or
        BinaryCall { Op: BinaryOp.Sigmul, Left: VarX, Right: VarX };

    /// <summary>Beta k shaped to broadcast over the channel dimension of <paramref name="like"/>.</summary>
    Tensor Beta(ref int next, Tensor like)
    {
        var shape = new long[Math.Max(like.dim(), 2)];
        Array.Fill(shape, 1L);
        shape[1] = Channels;
        return betas[next++].view(shape);
    }

    Tensor Eval(Expr e, Tensor x, ref int next)
    {
        switch (e)
        {
            case VarX: return x.alias();
            // contiguous() copies: the output must not be a view of the parameter.
            case BetaParam: return Beta(ref next, x).expand_as(x).contiguous();
            case Constant c: return full_like(x, c.Value);
            case UnaryCall u:
            {
                using var a = Eval(u.Arg, x, ref next);
                return Unary(u.Op, a, u.Op.UsesBeta() ? Beta(ref next, x) : null);
            }
            case BinaryCall b:
            {
                using var l = Eval(b.Left, x, ref next);
                using var r = Eval(b.Right, x, ref next);
                return Binary(b.Op, l, r, b.Op.UsesBeta() ? Beta(ref next, x) : null);
            }
            case Power p when p.Exponent is Constant k:
            {
                using var a = Eval(p.Base, x, ref next);
                return a.pow(k.Value);
            }
            case Power p:
            {
                using var a = Eval(p.Base, x, ref next);
                using var k = Eval(p.Exponent, x, ref next);
                return a.pow(k);
            }
            default: throw new ArgumentOutOfRangeException(nameof(e));
        }
    }

    static Tensor Unary(UnaryOp op, Tensor a, Tensor? beta) => op switch
    {
        UnaryOp.X => a.alias(),
        UnaryOp.Neg => a.neg(),
        UnaryOp.Abs => a.abs(),
        UnaryOp.Square => a.square(),
        UnaryOp.Cube => a.pow(3),
        UnaryOp.Sqrt => a.sqrt(),
        UnaryOp.Scale => a * beta!,
        UnaryOp.Shift => a + beta!,
        UnaryOp.LogAbs => (a.abs() + OpNames.Eps).log(),
        UnaryOp.Exp => a.exp(),
        UnaryOp.Sin => a.sin(),
        UnaryOp.Cos => a.cos(),
        UnaryOp.Sinh => a.sinh(),
        UnaryOp.Cosh => a.cosh(),
        UnaryOp.Tanh => a.tanh(),
        UnaryOp.Asinh => a.asinh(),
        UnaryOp.Atan => a.atan(),
        // torch.sinc is the normalised sin(pi x)/(pi x); the paper's is sin(x)/x.
        UnaryOp.Sinc => (a / Math.PI).sinc(),
        UnaryOp.Relu => a.relu(),
        // -relu(-a): min(a, 0) with PyTorch's relu convention at 0 (gradient 0), as the reference evaluator.
        UnaryOp.Min0 => a.neg().relu().neg(),
        UnaryOp.Sigmoid => a.sigmoid(),
        UnaryOp.Softplus => nn.functional.softplus(a),
        UnaryOp.Gauss => a.square().neg().exp(),
        UnaryOp.Erf => a.erf(),
        UnaryOp.Beta => beta!.expand_as(a).contiguous(),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    static Tensor Binary(BinaryOp op, Tensor a, Tensor b, Tensor? beta) => op switch
    {
        BinaryOp.Add => a + b,
        BinaryOp.Mul => a * b,
        BinaryOp.Sub => a - b,
        BinaryOp.Div => a / (b + OpNames.Eps),
        BinaryOp.Max => maximum(a, b),
        BinaryOp.Min => minimum(a, b),
        BinaryOp.Sigmul => a.sigmoid() * b,
        BinaryOp.GaussDiff => (a - b).square().mul(beta!.neg()).exp(),
        BinaryOp.LaplaceDiff => (a - b).abs().mul(beta!.neg()).exp(),
        BinaryOp.Mix => beta! * a + (1 - beta!) * b,
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };
}

/// <summary>How an <see cref="ActivationModule"/> runs its expression.</summary>
public enum ActivationPath
{
    /// <summary>One TorchSharp op per node of the expression tree.</summary>
    Composed,
    /// <summary>x * sigmoid(x) and its spellings: torch's built-in SiLU.</summary>
    Silu,
    /// <summary>One custom autograd function for the whole expression: <see cref="CompiledActivation"/>.</summary>
    Compiled,
}
