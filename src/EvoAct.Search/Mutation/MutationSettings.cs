namespace EvoAct.Search.Mutation;

/// <summary>
/// evoact.mutation.*: relative weights of the two mutation kinds, and the probability of an
/// identity mutation (child = parent, re-evaluated), 0.05 as in Real et al. (2019).
/// </summary>
public sealed record MutationSettings(double UnaryWeight = 1.0, double BinaryWeight = 1.0, double IdentityProbability = 0.05)
{
    public static MutationSettings Default { get; } = new();
}
