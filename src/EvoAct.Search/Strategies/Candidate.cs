using EvoAct.Search.Fingerprints;
using EvoAct.Search.Genomes;
using EvoAct.Search.Mutation;

namespace EvoAct.Search.Strategies;

/// <summary>How a proposal is settled: trained by a worker, or at once without training.</summary>
public enum ProposalKind { Train, Rejected, Deduplicated }

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

public enum EvaluationStatus { Completed, Diverged, Failed, Rejected, Deduplicated }

/// <summary>The settled result of one proposal, as kept in the history.</summary>
public sealed record Evaluation(Proposal Proposal, EvaluationStatus Status, double? Fitness, string? Reason, string? Worker = null, double Seconds = 0)
{
    public long Id => Proposal.Id;
    public bool Trained => Status is EvaluationStatus.Completed or EvaluationStatus.Diverged or EvaluationStatus.Failed;
}

/// <summary>A member of the population: its evaluation and the fitness it competes with.</summary>
public sealed record Individual(Evaluation Evaluation, double Fitness)
{
    public long Id => Evaluation.Id;
    public Genome Genome => Evaluation.Proposal.Genome;
}
