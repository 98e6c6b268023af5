using EvoAct.Search.Fingerprints;
using EvoAct.Search.Genomes;
using EvoAct.Search.Mutation;

namespace EvoAct.Search.Strategies;

/// <summary>
/// How a proposal is settled: trained by a worker, or at once without training. FinalCheck: a
/// re-evaluation, with new seeds, of the function its parent computes, after the budget is spent.
/// ParentCheck: a re-evaluation, with new seeds, of a population member that won a tournament on its
/// first score, before it breeds (evoact.evolution.parent-check); it costs budget.
/// </summary>
public enum ProposalKind { Train, Rejected, Deduplicated, FinalCheck, ParentCheck }

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
/// A distinct function on the leaderboard: its best evaluation and its re-evaluations (a parent check
/// during the search, the final check after it), the mean over all their seeds and how many; without
/// any, its single score. A re-evaluation that did not complete leaves Mean null (it ranks below every
/// function of its kind that did).
/// </summary>
public sealed record RankedFunction(Evaluation Evaluation, double? Mean, int Seeds, IReadOnlyList<Evaluation> Rechecks)
{
    /// <summary>The final check's re-evaluation, if it had one.</summary>
    public Evaluation? Recheck => Rechecks.FirstOrDefault(r => r.Proposal.Kind == ProposalKind.FinalCheck);
    /// <summary>Re-evaluated by the final check (such functions rank first, by their mean).</summary>
    public bool Checked => Recheck is not null;
}

/// <summary>
/// A member of the population: its evaluation and the fitness it competes with; ParentChecked once a
/// parent check has re-evaluated it (its fitness is then the mean over all its seeds).
/// </summary>
public sealed record Individual(Evaluation Evaluation, double Fitness, bool ParentChecked = false)
{
    public long Id => Evaluation.Id;
    public Genome Genome => Evaluation.Proposal.Genome;
}
