using EvoAct.Search.Ops;

namespace EvoAct.Search.Expressions;

/// <summary>
/// A free expression tree over the paper's vocabulary. Any tree is a valid activation, not only the
/// core-unit shapes a genome makes. Records give structural equality.
/// </summary>
public abstract record Expr
{
    public static Expr X { get; } = new VarX();
    public static Expr Beta { get; } = new BetaParam();

    /// <summary>Trainable beta parameters in evaluation (post-)order: every BetaParam and every beta-using op owns one.</summary>
    public int BetaCount => this switch
    {
        BetaParam => 1,
        UnaryCall u => u.Arg.BetaCount + (u.Op.UsesBeta() ? 1 : 0),
        BinaryCall b => b.Left.BetaCount + b.Right.BetaCount + (b.Op.UsesBeta() ? 1 : 0),
        Power p => p.Base.BetaCount + p.Exponent.BetaCount,
        _ => 0,
    };

    public override string ToString() => ExpressionPrinter.Print(this);
}

/// <summary>The pre-activation x.</summary>
public sealed record VarX : Expr { public override string ToString() => "x"; }

/// <summary>A trainable per-channel parameter, initialised to 1. Each occurrence is its own parameter.</summary>
public sealed record BetaParam : Expr { public override string ToString() => "beta"; }

public sealed record Constant(double Value) : Expr { public override string ToString() => ExpressionPrinter.Print(this); }

public sealed record UnaryCall(UnaryOp Op, Expr Arg) : Expr { public override string ToString() => ExpressionPrinter.Print(this); }

/// <summary>Infix + - * / parse to add, sub, mul and div (the paper's x1 / (x2 + eps)).</summary>
public sealed record BinaryCall(BinaryOp Op, Expr Left, Expr Right) : Expr { public override string ToString() => ExpressionPrinter.Print(this); }

/// <summary>a ^ b, as in the paper's atan(x)^2.</summary>
public sealed record Power(Expr Base, Expr Exponent) : Expr { public override string ToString() => ExpressionPrinter.Print(this); }
