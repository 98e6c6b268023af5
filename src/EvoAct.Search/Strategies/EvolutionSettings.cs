namespace EvoAct.Search.Strategies;

/// <summary>Exhaustive: every genome of the space once, in <see cref="SearchSpace.Enumerate"/>'s order (the paper's mode for small spaces).</summary>
public enum StrategyKind { Regularized, Tournament, Random, Exhaustive }

/// <summary>What happens to a candidate that failed, diverged or was rejected (NNI's on_failure).</summary>
public enum FailurePolicy { Ignore, Worst }

/// <summary>
/// evoact.evolution.*. P and S default to Real et al. (2019): 100 and 25. MaxEvaluations counts
/// trainings (completed, diverged or failed); rejected and deduplicated candidates cost none.
/// </summary>
public sealed record EvolutionSettings
{
    public StrategyKind Strategy { get; init; } = StrategyKind.Regularized;
    public int PopulationSize { get; init; } = 100;
    public int SampleSize { get; init; } = 25;
    public int MaxEvaluations { get; init; } = 1000;
    public FailurePolicy OnFailure { get; init; } = FailurePolicy.Ignore;
    public bool Deduplicate { get; init; } = true;
    public ulong Seed { get; init; }
    /// <summary>Consecutive proposals that need no training before the space counts as exhausted.</summary>
    public int MaxFreeProposals { get; init; } = 10_000;
    /// <summary>Trainings per candidate, with consecutive training seeds; its fitness is their mean (a table carries its own noise).</summary>
    public int SeedsPerCandidate { get; init; } = 1;
    /// <summary>Multi-fidelity rungs (<see cref="FidelitySettings"/>); null: every candidate trains the full budget.</summary>
    public FidelitySettings? Fidelity { get; init; }
    /// <summary>Re-evaluation of the best distinct functions once the budget is spent (<see cref="FinalCheckSettings"/>); null: none.</summary>
    public FinalCheckSettings? FinalCheck { get; init; }
    /// <summary>
    /// evoact.evolution.parent-check.seeds: a tournament winner whose fitness rests on its first
    /// evaluation is trained again with this many new seeds (budget spent) before it breeds, and
    /// competes with the mean from then on; 0: off.
    /// </summary>
    public int ParentCheckSeeds { get; init; }

    /// <summary>The training seeds of a function, in order: its evaluation's, then a parent check's, then the final check's.</summary>
    public int ParentCheckSeedOffset => SeedsPerCandidate;
    public int FinalCheckSeedOffset => SeedsPerCandidate + ParentCheckSeeds;
}

/// <summary>
/// evoact.evolution.final-check: when a run has spent its budget, its <see cref="Top"/> distinct
/// functions by single score are trained again with <see cref="Seeds"/> new training seeds each, and
/// ranked by the mean over all their seeds: a leaderboard of single noisy scores favours the lucky.
/// </summary>
public sealed record FinalCheckSettings(int Top, int Seeds);
