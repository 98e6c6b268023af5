using System.Collections.Immutable;
using EvoAct.Search.Expressions;
using EvoAct.Search.Ops;

namespace EvoAct.Search.Genomes;

/// <summary>
/// K core units chained as in the paper. Slots are addressed flatly: unary slot 2k is unit k's
/// left unary, 2k+1 its right unary; binary slot k is unit k's binary.
/// </summary>
public sealed class Genome : IEquatable<Genome>
{
    public ImmutableArray<CoreUnit> Units { get; }

    public Genome(IEnumerable<CoreUnit> units)
    {
        Units = units.ToImmutableArray();
        if (Units.Length == 0) throw new ArgumentException("a genome needs at least one core unit");
    }

    public int UnarySlots => Units.Length * 2;
    public int BinarySlots => Units.Length;

    public UnaryOp Unary(int slot) => slot % 2 == 0 ? Units[slot / 2].Left : Units[slot / 2].Right;
    public BinaryOp Binary(int slot) => Units[slot].Combine;

    public Genome WithUnary(int slot, UnaryOp op) =>
        new(Units.SetItem(slot / 2, slot % 2 == 0 ? Units[slot / 2] with { Left = op } : Units[slot / 2] with { Right = op }));

    public Genome WithBinary(int slot, BinaryOp op) => new(Units.SetItem(slot, Units[slot] with { Combine = op }));

    /// <summary>The activation as an expression tree (the core-unit structure made explicit).</summary>
    public Expr ToExpr()
    {
        Expr y = Expr.X;
        foreach (var unit in Units)
            y = new BinaryCall(unit.Combine, new UnaryCall(unit.Left, y), new UnaryCall(unit.Right, Expr.X));
        return y;
    }

    /// <summary>The expression in the paper's notation, e.g. <c>sigmul(x, x)</c>.</summary>
    public string ToExpression() => ExpressionPrinter.Print(ToExpr());

    /// <summary>Compact, stable text form for persistence: "u1 u2 b1 | u3 u4 b2".</summary>
    public string Encode() => string.Join(" | ", Units);

    public static Genome Decode(string text)
    {
        var units = new List<CoreUnit>();
        foreach (var part in text.Split('|', StringSplitOptions.TrimEntries))
        {
            var names = part.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (names.Length != 3 || !OpNames.TryParseUnary(names[0], out var u1) ||
                !OpNames.TryParseUnary(names[1], out var u2) || !OpNames.TryParseBinary(names[2], out var b))
                throw new FormatException($"bad core unit '{part}' in genome '{text}': expected 'unary unary binary'");
            units.Add(new CoreUnit(u1, u2, b));
        }
        return new Genome(units);
    }

    public bool Equals(Genome? other) => other is not null && Units.SequenceEqual(other.Units);
    public override bool Equals(object? obj) => Equals(obj as Genome);
    public override int GetHashCode() => Units.Aggregate(17, (h, u) => h * 31 + u.GetHashCode());
    public override string ToString() => Encode();
}
