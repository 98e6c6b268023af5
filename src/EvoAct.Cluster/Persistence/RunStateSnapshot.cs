using EvoAct.Cluster.Messages;

namespace EvoAct.Cluster.Persistence;

/// <summary>
/// A snapshot of the coordinator's state: the plan and the evolution without its history (see
/// <see cref="Search.Strategies.EvolutionMemento"/>). Its size follows the population and the number
/// of distinct functions trained, not the number of evaluations; the history stays in the journal,
/// where `status`, `top` and `export` read it. Proposals keep their event form.
/// </summary>
public sealed record RunStateSnapshot(
    int SchemaVersion,
    string Run,
    RunPlan Plan,
    DateTime StartedAt,
    IReadOnlyList<SnapshotIndividual> Population,
    IReadOnlyList<CandidateProposed> InFlight,
    IReadOnlyDictionary<string, double> FitnessByFingerprint,
    IReadOnlyDictionary<string, int> Counts,
    SnapshotEvaluation? Best,
    ulong RngState,
    long NextId,
    int InitialProposed,
    int FreeInARow,
    int Trained,
    IReadOnlyList<IReadOnlyList<double>>? RungScores = null,
    IReadOnlyDictionary<long, int>? Rungs = null,
    IReadOnlyList<SnapshotEvaluation>? Leaders = null,
    int FinalCheckProposed = 0,
    IReadOnlyList<string>? CheckedFingerprints = null) : IEvoActMessage;

/// <summary>A settled evaluation: its proposal and its outcome.</summary>
public sealed record SnapshotEvaluation(CandidateProposed Proposal, string Status, double? Fitness, string? Reason, string? Worker, double Seconds,
                                        double? Fraction = null);

/// <summary>A member of the population: its evaluation and the fitness it competes with (-infinity for a failure under on-failure = worst; the mean after a parent check).</summary>
public sealed record SnapshotIndividual(SnapshotEvaluation Evaluation, double Fitness, bool ParentChecked = false);
