using EvoAct.Search;
using EvoAct.Search.Strategies;
using EvoAct.Search.Fingerprints;
using EvoAct.Search.Mutation;
using EvoAct.Search.Ops;
using EvoAct.Training.Trainer;

namespace EvoAct.Cluster.Persistence;

/// <summary>The search space as persisted: op names, so the journal does not depend on enum numbering.</summary>
public sealed record SearchSpaceSpec(int CoreUnits, IReadOnlyList<string> Unary, IReadOnlyList<string> Binary)
{
    public static SearchSpaceSpec From(SearchSpace s) => new(s.CoreUnits, s.Unary.Select(u => u.Name()).ToArray(), s.Binary.Select(b => b.Name()).ToArray());

    public SearchSpace ToSearchSpace() => new(CoreUnits,
        Unary.Select(n => OpNames.TryParseUnary(n, out var u) ? u : throw new FormatException($"unknown unary op '{n}' in the journal")),
        Binary.Select(n => OpNames.TryParseBinary(n, out var b) ? b : throw new FormatException($"unknown binary op '{n}' in the journal")));

    public bool Same(SearchSpaceSpec o) => CoreUnits == o.CoreUnits && Unary.SequenceEqual(o.Unary) && Binary.SequenceEqual(o.Binary);
}

/// <summary>Everything that defines a run: persisted in RunStarted, compared on resume.</summary>
public sealed record RunPlan(
    SearchSpaceSpec Space,
    MutationSettings Mutation,
    FilterSettings Filter,
    EvolutionSettings Evolution,
    TrainerSettings Training)
{
    public Evolution NewEvolution(bool keepHistory = true) => new(Space.ToSearchSpace(), Mutation, Filter, Evolution, keepHistory);

    /// <summary>
    /// Why a resumed run cannot take <paramref name="now"/>, or null. Fitness values from a different
    /// search space, filter or child-training setup cannot be compared; a different strategy, P, S or
    /// seed would no longer be the same evolution.
    /// </summary>
    public string? Incompatibility(RunPlan now)
    {
        if (!Space.Same(now.Space)) return "the search space differs from the one the run started with";
        if (Filter != now.Filter) return "the degeneracy filter settings differ from the ones the run started with";
        if (Training.ActivationKernels != now.Training.ActivationKernels && Training with { ActivationKernels = now.Training.ActivationKernels } == now.Training)
            return $"evoact.training.activation-kernels is '{now.Training.ActivationKernels}' but the run started with '{Training.ActivationKernels}' " +
                   $"(fitness values from the two differ in the last bits); set evoact.training.activation-kernels = {Training.ActivationKernels} to resume it";
        if (!Training.Equals(now.Training)) return "the child-training setup (evoact.training) differs from the one the run started with";
        if (Evolution with { MaxEvaluations = 0 } != now.Evolution with { MaxEvaluations = 0 })
            return "the evolution settings (strategy, population-size, sample-size, on-failure, deduplicate, seed, seeds-per-candidate, fidelity, final-check, parent-check) differ from the ones the run started with";
        return null;
    }

    /// <summary>What a resume may change: mutation weights and max evaluations. Human-readable, one per change.</summary>
    public IReadOnlyList<string> Changes(RunPlan now)
    {
        var changes = new List<string>();
        if (Mutation != now.Mutation)
            changes.Add($"mutation: unary-weight {Mutation.UnaryWeight} -> {now.Mutation.UnaryWeight}, binary-weight {Mutation.BinaryWeight} -> {now.Mutation.BinaryWeight}, identity-probability {Mutation.IdentityProbability} -> {now.Mutation.IdentityProbability}");
        if (Evolution.MaxEvaluations != now.Evolution.MaxEvaluations)
            changes.Add($"max-evaluations: {Evolution.MaxEvaluations} -> {now.Evolution.MaxEvaluations}");
        return changes;
    }
}
