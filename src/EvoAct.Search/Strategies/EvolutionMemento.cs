namespace EvoAct.Search.Strategies;

/// <summary>
/// Everything an <see cref="Evolution"/> needs to go on exactly as it would have, without its
/// history: the population, what is in flight, the deduplication cache, the counts, the best and
/// the generator. What a snapshot holds, so a snapshot's size follows P and the number of distinct
/// functions seen, not the number of evaluations.
/// </summary>
public sealed record EvolutionMemento(
    IReadOnlyList<Individual> Population,
    IReadOnlyList<Proposal> InFlight,
    IReadOnlyDictionary<string, double> FitnessByFingerprint,
    IReadOnlyDictionary<EvaluationStatus, int> Counts,
    Evaluation? Best,
    ulong RngState,
    long NextId,
    int InitialProposed,
    int FreeInARow,
    int Trained,
    IReadOnlyList<IReadOnlyList<double>>? RungScores = null,
    IReadOnlyDictionary<long, int>? Rungs = null,
    IReadOnlyList<Evaluation>? Leaders = null,
    int FinalCheckProposed = 0,
    IReadOnlyCollection<string>? CheckedFingerprints = null);
