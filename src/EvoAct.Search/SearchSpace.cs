using System.Numerics;
using EvoAct.Search.Genomes;
using EvoAct.Search.Ops;

namespace EvoAct.Search;

/// <summary>
/// The ops a genome may use and how many core units it has. The paper searched the full sets with
/// K = 2 by RL and restricted sets exhaustively; both are a SearchSpace here.
/// </summary>
public sealed record SearchSpace
{
    public int CoreUnits { get; }
    public IReadOnlyList<UnaryOp> Unary { get; }
    public IReadOnlyList<BinaryOp> Binary { get; }

    public const int MaxCoreUnits = 3;

    public SearchSpace(int coreUnits, IEnumerable<UnaryOp> unary, IEnumerable<BinaryOp> binary)
    {
        if (coreUnits is < 1 or > MaxCoreUnits)
            throw new ArgumentOutOfRangeException(nameof(coreUnits), $"core units must be 1..{MaxCoreUnits}, got {coreUnits}");
        Unary = unary.Distinct().ToArray();
        Binary = binary.Distinct().ToArray();
        if (Unary.Count == 0) throw new ArgumentException("the search space needs at least one unary op");
        if (Binary.Count == 0) throw new ArgumentException("the search space needs at least one binary op");
        CoreUnits = coreUnits;
    }

    /// <summary>The paper's full space: 25 unary, 10 binary, two core units.</summary>
    public static SearchSpace Paper { get; } = new(2, OpNames.AllUnary, OpNames.AllBinary);

    /// <summary>|U|^(2K) * |B|^K; 39,062,500 for the paper's space.</summary>
    public BigInteger Size => BigInteger.Pow(Unary.Count, 2 * CoreUnits) * BigInteger.Pow(Binary.Count, CoreUnits);

    public bool Contains(Genome genome) =>
        genome.Units.Length == CoreUnits &&
        genome.Units.All(u => Unary.Contains(u.Left) && Unary.Contains(u.Right) && Binary.Contains(u.Combine));

    public Genome Random(Rng rng) =>
        new(Enumerable.Range(0, CoreUnits).Select(_ => new CoreUnit(rng.Pick(Unary), rng.Pick(Unary), rng.Pick(Binary))));

    /// <summary>
    /// The genome at this position of <see cref="Enumerate"/>'s order: the position in mixed radix,
    /// one digit per core unit (the last unit varies fastest), each digit (u1, u2, b) with b fastest.
    /// </summary>
    public Genome At(BigInteger index)
    {
        if (index < 0 || index >= Size) throw new ArgumentOutOfRangeException(nameof(index), $"position {index} is outside a space of {Size} genomes");
        int perUnit = Unary.Count * Unary.Count * Binary.Count;
        var digits = new int[CoreUnits];
        for (int k = CoreUnits - 1; k >= 0; k--) { digits[k] = (int)(index % perUnit); index /= perUnit; }
        return new Genome(digits.Select(d => new CoreUnit(Unary[d / (Unary.Count * Binary.Count)], Unary[d / Binary.Count % Unary.Count], Binary[d % Binary.Count])));
    }

    /// <summary>Every genome of the space, in a fixed order (the paper's exhaustive mode). Lazy.</summary>
    public IEnumerable<Genome> Enumerate()
    {
        var units = (from u1 in Unary from u2 in Unary from b in Binary select new CoreUnit(u1, u2, b)).ToArray();
        var index = new int[CoreUnits];
        while (true)
        {
            yield return new Genome(index.Select(i => units[i]));
            int k = CoreUnits - 1;
            while (k >= 0 && ++index[k] == units.Length) index[k--] = 0;
            if (k < 0) yield break;
        }
    }

    public bool Equals(SearchSpace? other) =>
        other is not null && CoreUnits == other.CoreUnits &&
        Unary.SequenceEqual(other.Unary) && Binary.SequenceEqual(other.Binary);

    public override int GetHashCode() => HashCode.Combine(CoreUnits, Unary.Count, Binary.Count);

    public override string ToString() =>
        $"K={CoreUnits}, unary=[{string.Join(", ", Unary.Select(u => u.Name()))}], binary=[{string.Join(", ", Binary.Select(b => b.Name()))}]";
}
