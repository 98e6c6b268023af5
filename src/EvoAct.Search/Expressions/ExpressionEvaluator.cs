using EvoAct.Search.Ops;
using static EvoAct.Search.Expressions.SpecialFunctions;

namespace EvoAct.Search.Expressions;

/// <summary>
/// Evaluates an expression and its derivative at a point in double precision, with every beta set
/// to one value. This is the reference semantics: fingerprints, the degeneracy filter and `inspect`
/// use it, and the TorchSharp modules are tested against it. Kinks follow PyTorch's conventions
/// (relu'(0) = 0, |x|'(0) = 0, ties of max/min split the gradient).
/// </summary>
public static class ExpressionEvaluator
{
    public static Dual Evaluate(Expr e, double x, double beta = 1.0) => Eval(e, Dual.Variable(x), beta);

    public static double Value(Expr e, double x, double beta = 1.0) => Evaluate(e, x, beta).Value;

    static Dual Eval(Expr e, Dual x, double beta) => e switch
    {
        VarX => x,
        BetaParam => Dual.Const(beta),
        Constant c => Dual.Const(c.Value),
        UnaryCall u => Unary(u.Op, Eval(u.Arg, x, beta), beta),
        BinaryCall b => Binary(b.Op, Eval(b.Left, x, beta), Eval(b.Right, x, beta), beta),
        Power p => Pow(Eval(p.Base, x, beta), Eval(p.Exponent, x, beta)),
        _ => throw new ArgumentOutOfRangeException(nameof(e)),
    };

    public static Dual Unary(UnaryOp op, Dual a, double beta)
    {
        double v = a.Value;
        return op switch
        {
            UnaryOp.X => a,
            UnaryOp.Neg => a.Apply(-v, -1),
            UnaryOp.Abs => a.Apply(Math.Abs(v), Sign(v)),
            UnaryOp.Square => a.Apply(v * v, 2 * v),
            UnaryOp.Cube => a.Apply(v * v * v, 3 * v * v),
            UnaryOp.Sqrt => a.Apply(Math.Sqrt(v), 0.5 / Math.Sqrt(v)),
            UnaryOp.Scale => a.Apply(beta * v, beta),
            UnaryOp.Shift => a.Apply(v + beta, 1),
            UnaryOp.LogAbs => a.Apply(Math.Log(Math.Abs(v) + OpNames.Eps), Sign(v) / (Math.Abs(v) + OpNames.Eps)),
            UnaryOp.Exp => a.Apply(Math.Exp(v), Math.Exp(v)),
            UnaryOp.Sin => a.Apply(Math.Sin(v), Math.Cos(v)),
            UnaryOp.Cos => a.Apply(Math.Cos(v), -Math.Sin(v)),
            UnaryOp.Sinh => a.Apply(Math.Sinh(v), Math.Cosh(v)),
            UnaryOp.Cosh => a.Apply(Math.Cosh(v), Math.Sinh(v)),
            UnaryOp.Tanh => a.Apply(Math.Tanh(v), 1 - Math.Tanh(v) * Math.Tanh(v)),
            UnaryOp.Asinh => a.Apply(Math.Asinh(v), 1 / Math.Sqrt(v * v + 1)),
            UnaryOp.Atan => a.Apply(Math.Atan(v), 1 / (1 + v * v)),
            UnaryOp.Sinc => a.Apply(Sinc(v), SincDerivative(v)),
            UnaryOp.Relu => a.Apply(Math.Max(v, 0), v > 0 ? 1 : 0),
            UnaryOp.Min0 => a.Apply(Math.Min(v, 0), v < 0 ? 1 : 0),
            UnaryOp.Sigmoid => a.Apply(Sigmoid(v), Sigmoid(v) * (1 - Sigmoid(v))),
            UnaryOp.Softplus => a.Apply(Softplus(v), Sigmoid(v)),
            UnaryOp.Gauss => a.Apply(Math.Exp(-v * v), -2 * v * Math.Exp(-v * v)),
            UnaryOp.Erf => a.Apply(Erf(v), 2 / Math.Sqrt(Math.PI) * Math.Exp(-v * v)),
            UnaryOp.Beta => Dual.Const(beta),
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
    }

    public static Dual Binary(BinaryOp op, Dual a, Dual b, double beta)
    {
        double u = a.Value, v = b.Value, du = a.Derivative, dv = b.Derivative;
        switch (op)
        {
            case BinaryOp.Add: return new(u + v, du + dv);
            case BinaryOp.Sub: return new(u - v, du - dv);
            case BinaryOp.Mul: return new(u * v, du * v + u * dv);
            case BinaryOp.Div:
            {
                double d = v + OpNames.Eps;
                return new(u / d, du / d - u * dv / (d * d));
            }
            case BinaryOp.Max:
            case BinaryOp.Min:
            {
                // As torch.maximum/minimum: NaN wins (it is not "the other side"), and the side not
                // taken still gets a zero gradient in reverse mode, which is NaN where its own
                // derivative is infinite (0 * inf): hence the 0 * d terms.
                if (double.IsNaN(u) || double.IsNaN(v)) return new(double.NaN, du + dv);
                bool takeA = op == BinaryOp.Max ? u > v : u < v, takeB = op == BinaryOp.Max ? u < v : u > v;
                return takeA ? new(u, du + 0 * dv) : takeB ? new(v, dv + 0 * du) : new(u, (du + dv) / 2);
            }
            case BinaryOp.Sigmul:
            {
                double s = Sigmoid(u);
                return new(s * v, s * (1 - s) * du * v + s * dv);
            }
            case BinaryOp.GaussDiff:
            {
                double d = u - v, f = Math.Exp(-beta * d * d);
                return new(f, f * -2 * beta * d * (du - dv));
            }
            case BinaryOp.LaplaceDiff:
            {
                double d = u - v, f = Math.Exp(-beta * Math.Abs(d));
                return new(f, f * -beta * Sign(d) * (du - dv));
            }
            case BinaryOp.Mix: return new(beta * u + (1 - beta) * v, beta * du + (1 - beta) * dv);
            default: throw new ArgumentOutOfRangeException(nameof(op));
        }
    }

    /// <summary>Math.Sign, but NaN for NaN (Math.Sign throws on NaN, e.g. for abs(sqrt(x)) at x &lt; 0).</summary>
    static double Sign(double v) => double.IsNaN(v) ? double.NaN : Math.Sign(v);

    internal static Dual Pow(Dual a, Dual b)
    {
        // x^2 and x^3 as square and cube (products, as torch's pow does for these exponents): the printer
        // writes square/cube as ^2/^3, and Math.Pow may differ in the last bit, which a chaotic genome
        // (e.g. sin of a huge value) turns into a different fingerprint for its own printed text.
        if (b.Derivative == 0 && b.Value == 2) return Unary(UnaryOp.Square, a, 0);
        if (b.Derivative == 0 && b.Value == 3) return Unary(UnaryOp.Cube, a, 0);
        double f = Math.Pow(a.Value, b.Value);
        // d(a^b) = b a^(b-1) a' + a^b ln(a) b'; the second term only when the exponent varies, so that
        // a constant exponent works for negative bases as PyTorch's pow does.
        double d = b.Value == 0 ? 0 : b.Value * Math.Pow(a.Value, b.Value - 1) * a.Derivative;
        if (b.Derivative != 0) d += f * Math.Log(a.Value) * b.Derivative;
        return new(f, d);
    }
}
