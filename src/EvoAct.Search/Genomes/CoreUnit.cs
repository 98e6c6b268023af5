using EvoAct.Search.Ops;

namespace EvoAct.Search.Genomes;

/// <summary>
/// One core unit b(u1(a), u2(c)). In a genome the first unit reads (x, x) and unit k reads
/// (y(k-1), x), as drawn in the paper: y1 = b1(u1(x), u2(x)), y2 = b2(u3(y1), u4(x)).
/// </summary>
public sealed record CoreUnit(UnaryOp Left, UnaryOp Right, BinaryOp Combine)
{
    public override string ToString() => $"{Left.Name()} {Right.Name()} {Combine.Name()}";
}
