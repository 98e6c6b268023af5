using EvoAct.Search.Evolution;
using EvoAct.Search.Fingerprints;
using EvoAct.Search.Genomes;
using EvoAct.Search.Mutation;

namespace EvoAct.Cluster.Persistence;

/// <summary>
/// A run as the fold of its events. The population actor applies each event as it persists it and
/// again on recovery; `status` and `top` fold the same events read from the journal.
/// </summary>
public sealed class RunState
{
    readonly List<IRunEvent> events = new();
    readonly Dictionary<long, DateTime> proposedAt = new();
    readonly Dictionary<long, DateTime> settledAt = new();

    public string? Run { get; private set; }
    public RunPlan? Plan { get; private set; }
    public Evolution? Evolution { get; private set; }
    public DateTime? StartedAt { get; private set; }
    public IReadOnlyList<IRunEvent> Events => events;
    public IReadOnlyDictionary<long, DateTime> ProposedAt => proposedAt;
    /// <summary>When each evaluation was settled (a free proposal: when it was proposed).</summary>
    public IReadOnlyDictionary<long, DateTime> SettledAt => settledAt;
    public bool Started => Evolution is not null;

    /// <summary>Applies an event; returns the evaluation it settled, if any.</summary>
    public Evaluation? Apply(IRunEvent e)
    {
        events.Add(e);
        switch (e)
        {
            case RunStarted s:
                (Run, Plan, StartedAt) = (s.Run, s.Plan, s.At);
                Evolution = s.Plan.NewEvolution();
                return null;
            case RunReconfigured r:
                Plan = r.Plan;
                Evolution!.Reconfigure(r.Plan.Mutation, r.Plan.Evolution.MaxEvaluations);
                return null;
            case CandidateProposed p:
            {
                proposedAt[p.Id] = p.At;
                var settled = Evolution!.Apply(ToProposal(p));
                if (settled is not null) settledAt[p.Id] = p.At;
                return settled;
            }
            case EvaluationSettled s:
            {
                var settled = Evolution!.Settle(s.Id, Enum.Parse<EvaluationStatus>(s.Status, ignoreCase: true), s.Fitness, s.Reason, s.Worker, s.Seconds);
                if (settled is not null) settledAt[s.Id] = s.At;
                return settled;
            }
            default:
                throw new InvalidOperationException($"unknown event {e.GetType().Name}");
        }
    }

    public void Restore(RunSnapshot snapshot)
    {
        foreach (var e in snapshot.Events) Apply(e);
    }

    /// <summary>The first <paramref name="durable"/> events: those already in the journal (later ones may be applied but not yet written).</summary>
    public RunSnapshot Snapshot(long durable) => new(Schema.Version, events.Take((int)durable).ToArray());

    public static CandidateProposed ToEvent(Proposal p, DateTime at) => new(
        Schema.Version, p.Id, p.Genome.Encode(), p.Expression, p.Fingerprint, p.ParentId,
        p.Mutation?.Kind.ToString().ToLowerInvariant(), p.Mutation?.Slot ?? -1, p.Mutation?.From, p.Mutation?.To,
        p.Sample.ToArray(), p.Kind.ToString().ToLowerInvariant(), p.Rejection?.ToString(), p.CachedFitness, p.RngState, at);

    public static Proposal ToProposal(CandidateProposed e) => new(
        e.Id, Genome.Decode(e.Genome), e.Expression, e.Fingerprint, e.ParentId,
        e.MutationKind is null ? null : new MutationRecord(Enum.Parse<MutationKind>(e.MutationKind, true), e.MutationSlot, e.MutationFrom, e.MutationTo),
        e.Sample, Enum.Parse<ProposalKind>(e.Kind, true), e.Rejection is null ? null : Enum.Parse<Rejection>(e.Rejection), e.CachedFitness, e.RngState);
}
