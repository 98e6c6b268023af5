using EvoAct.Search.Genomes;

namespace EvoAct.Search.Mutation;

/// <summary>What a mutation did: which slot changed from which op to which (names, for logs and export).</summary>
public sealed record MutationRecord(MutationKind Kind, int Slot, string? From, string? To)
{
    public static MutationRecord Identity { get; } = new(MutationKind.Identity, -1, null, null);

    public override string ToString() => Kind switch
    {
        MutationKind.Identity => "identity",
        MutationKind.Unary => $"unary[{Slot}] {From}->{To}",
        _ => $"binary[{Slot}] {From}->{To}",
    };
}

public sealed record Mutant(Genome Child, MutationRecord Mutation);
