using System.Globalization;
using EvoAct.Search.Ops;

namespace EvoAct.Search.Expressions;

/// <summary>
/// Prints an expression in the paper's notation with the fewest parentheses that parse back to the
/// same function. Ops with an everyday spelling print that way: add/sub/mul/div as infix, neg as
/// unary minus, square/cube as ^2/^3, scale as beta * a, shift as a + beta, and the identity vanishes.
/// </summary>
public static class ExpressionPrinter
{
    // Precedence: 1 additive, 2 multiplicative, 3 unary minus, 4 power, 5 primary.
    const int Additive = 1, Multiplicative = 2, Negation = 3, Pow = 4, Primary = 5;

    public static string Print(Expr e) => Render(e).Text;

    static (string Text, int Prec) Render(Expr e) => e switch
    {
        VarX => ("x", Primary),
        BetaParam => ("beta", Primary),
        Constant c => (c.Value.ToString("R", CultureInfo.InvariantCulture), c.Value < 0 ? Negation : Primary),
        Power p => ($"{Wrap(p.Base, Primary)}^{Wrap(p.Exponent, Negation)}", Pow),
        UnaryCall u => RenderUnary(u.Op, u.Arg),
        BinaryCall b => RenderBinary(b.Op, b.Left, b.Right),
        _ => throw new ArgumentOutOfRangeException(nameof(e)),
    };

    static (string, int) RenderUnary(UnaryOp op, Expr a) => op switch
    {
        UnaryOp.X => Render(a),
        UnaryOp.Neg => ("-" + (a is UnaryCall { Op: UnaryOp.Neg } or Constant ? $"({Print(a)})" : Wrap(a, Negation)), Negation),
        UnaryOp.Square => ($"{Wrap(a, Primary)}^2", Pow),
        UnaryOp.Cube => ($"{Wrap(a, Primary)}^3", Pow),
        UnaryOp.Scale => ($"beta * {Wrap(a, Multiplicative + 1)}", Multiplicative),
        UnaryOp.Shift => ($"{Wrap(a, Additive)} + beta", Additive),
        UnaryOp.Beta => ("beta", Primary),
        _ => ($"{op.Name()}({Print(a)})", Primary),
    };

    static (string, int) RenderBinary(BinaryOp op, Expr l, Expr r) => op switch
    {
        BinaryOp.Add => ($"{Wrap(l, Additive)} + {Wrap(r, Additive + 1)}", Additive),
        BinaryOp.Sub => ($"{Wrap(l, Additive)} - {Wrap(r, Additive + 1)}", Additive),
        BinaryOp.Mul => ($"{Wrap(l, Multiplicative)} * {Wrap(r, Multiplicative + 1)}", Multiplicative),
        BinaryOp.Div => ($"{Wrap(l, Multiplicative)} / {Wrap(r, Multiplicative + 1)}", Multiplicative),
        _ => ($"{op.Name()}({Print(l)}, {Print(r)})", Primary),
    };

    /// <summary>Parenthesise when the child binds looser than the context requires.</summary>
    static string Wrap(Expr e, int required)
    {
        var (text, prec) = Render(e);
        return prec < required ? $"({text})" : text;
    }
}
