using EvoAct.Search.Fingerprints;
using EvoAct.Search.Genomes;
using EvoAct.Search.Mutation;

namespace EvoAct.Search.Strategies;

/// <summary>
/// How a proposal is settled: trained by a worker, or at once without training. FinalCheck: a
/// re-evaluation, with new seeds, of the function its parent computes, after the budget is spent.
/// </summary>
public enum ProposalKind { Train, Rejected, Deduplicated, FinalCheck }

/// <summary>
/// A decision of the strategy: a child (or random genome), where it came from, and the generator
/// state after drawing it, so replaying the event restores the exact state.
/// </summary>
public sealed record Proposal(
    long Id,
    Genome Genome,
    string Expression,
    string Fingerprint,
    long? ParentId,
    MutationRecord? Mutation,
    IReadOnlyList<long> Sample,
    ProposalKind Kind,
    Rejection? Rejection,
    double? CachedFitness,
    ulong RngState);

/// <summary>Stopped: trained to a rung of the budget, whose score did not earn it the next (multi-fidelity); its fitness is that rung's score.</summary>
public enum EvaluationStatus { Completed, Diverged, Failed, Rejected, Deduplicated, Stopped }

/// <summary>
/// The settled result of one proposal, as kept in the history. Fraction: how much of the training
/// budget it reached (below 1 only for a candidate stopped at a rung).
/// </summary>
public sealed record Evaluation(Proposal Proposal, EvaluationStatus Status, double? Fitness, string? Reason, string? Worker = null, double Seconds = 0,
                                double Fraction = 1)
{
    public long Id => Proposal.Id;
    public bool Trained => Status is EvaluationStatus.Completed or EvaluationStatus.Diverged or EvaluationStatus.Failed or EvaluationStatus.Stopped;
}

/// <summary>
/// A distinct function on the leaderboard: its best evaluation and, after a final check, the mean of
/// all its seeds (the evaluation's and the re-evaluation's) and how many; without one, its single score.
/// A re-evaluation that did not complete leaves Mean null (it ranks below every checked function that did).
/// </summary>
public sealed record RankedFunction(Evaluation Evaluation, double? Mean, int Seeds, Evaluation? Recheck)
{
    public bool Checked => Recheck is not null;
}

/// <summary>A member of the population: its evaluation and the fitness it competes with.</summary>
public sealed record Individual(Evaluation Evaluation, double Fitness)
{
    public long Id => Evaluation.Id;
    public Genome Genome => Evaluation.Proposal.Genome;
}
