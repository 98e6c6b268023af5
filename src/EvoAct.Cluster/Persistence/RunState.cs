using EvoAct.Search.Strategies;
using EvoAct.Search.Fingerprints;
using EvoAct.Search.Genomes;
using EvoAct.Search.Mutation;

namespace EvoAct.Cluster.Persistence;

/// <summary>
/// A run as the fold of its events. The population actor applies each event as it persists it and
/// again on recovery; `status` and `top` fold the same events read from the journal. The actor's
/// copy keeps no history (keepHistory: false): it needs the population, counts and best, and its
/// snapshots must not grow with the run.
/// </summary>
public sealed class RunState(bool keepHistory = true)
{
    readonly List<IRunEvent> events = new();
    readonly Dictionary<long, DateTime> proposedAt = new();
    readonly Dictionary<long, DateTime> settledAt = new();
    readonly Dictionary<long, IReadOnlyList<Messages.SeedResult>> seeds = new();
    readonly Dictionary<long, string> devices = new();
    readonly Dictionary<long, CandidateDispatched> dispatched = new();

    public string? Run { get; private set; }
    public RunPlan? Plan { get; private set; }
    public Evolution? Evolution { get; private set; }
    public DateTime? StartedAt { get; private set; }
    public IReadOnlyList<IRunEvent> Events => keepHistory ? events : throw new InvalidOperationException("this RunState keeps no history");
    public IReadOnlyDictionary<long, DateTime> ProposedAt => proposedAt;
    /// <summary>When each evaluation was settled (a free proposal: when it was proposed).</summary>
    public IReadOnlyDictionary<long, DateTime> SettledAt => settledAt;
    public bool Started => Evolution is not null;
    /// <summary>Each trained evaluation's trainings (seed, loss, test accuracy, learning curve), where its journal has them.</summary>
    public IReadOnlyDictionary<long, IReadOnlyList<Messages.SeedResult>> Seeds => seeds;
    /// <summary>The device that trained each evaluation, where its journal says.</summary>
    public IReadOnlyDictionary<long, string> Devices => devices;
    /// <summary>Each trained evaluation's last hand-out (who, on which device, since when), where its journal has one: an in-flight one's is who trains it now.</summary>
    public IReadOnlyDictionary<long, CandidateDispatched> Dispatched => dispatched;

    /// <summary>Applies an event; returns the evaluation it settled, if any.</summary>
    public Evaluation? Apply(IRunEvent e)
    {
        if (keepHistory) events.Add(e);
        switch (e)
        {
            case RunStarted s:
                (Run, Plan, StartedAt) = (s.Run, s.Plan, s.At);
                Evolution = s.Plan.NewEvolution(keepHistory);
                return null;
            case RunReconfigured r:
                Plan = r.Plan;
                Evolution!.Reconfigure(r.Plan.Mutation, r.Plan.Evolution.MaxEvaluations);
                return null;
            case CandidatesProposed batch:
            {
                Evaluation? last = null;
                foreach (var p in batch.Proposals) last = ApplyProposal(p) ?? last;
                return last; // OneByOne gives each settlement of a batch
            }
            case CandidateProposed p:
                return ApplyProposal(p);
            case CandidateDispatched d:
                if (keepHistory) dispatched[d.Id] = d;
                return null;
            case EvaluationSettled s:
            {
                var settled = Evolution!.Settle(s.Id, WireNames.Status.Parse(s.Status), s.Fitness, s.Reason, s.Worker, s.Seconds);
                if (settled is not null) NoteSettled(s.Id, s.At, s.Seeds, s.Device);
                return settled;
            }
            case RungReached rung:
            {
                var stopped = Evolution!.ReachRung(rung.Id, rung.Rung, rung.Score, rung.Promoted, rung.Worker, rung.Seconds);
                if (stopped is not null) NoteSettled(rung.Id, rung.At, rung.Seeds, rung.Device);
                return stopped;
            }
            default:
                throw new InvalidOperationException($"unknown event {e.GetType().Name}");
        }
    }

    /// <summary>The read side's record of a trained evaluation's settling: when, its trainings, and the device.</summary>
    void NoteSettled(long id, DateTime at, IReadOnlyList<Messages.SeedResult>? trainings, string? device)
    {
        if (!keepHistory) return;
        settledAt[id] = at;
        if (trainings is { Count: > 0 }) seeds[id] = trainings;
        if (device is not null) devices[id] = device;
    }

    Evaluation? ApplyProposal(CandidateProposed p)
    {
        var settled = Evolution!.Apply(ToProposal(p));
        if (keepHistory)
        {
            proposedAt[p.Id] = p.At;
            if (settled is not null) settledAt[p.Id] = p.At;
        }
        return settled;
    }

    /// <summary>The events with every batch of proposals taken apart, for folds that look at each settlement.</summary>
    public static IEnumerable<IRunEvent> OneByOne(IEnumerable<IRunEvent> events) =>
        Enumerable.SelectMany(events, e => e is CandidatesProposed b ? (IEnumerable<IRunEvent>)b.Proposals : [e]);

    /// <summary>Recovers from a snapshot of the first format (every event so far): folds them.</summary>
    public void Restore(RunSnapshot snapshot)
    {
        foreach (var e in snapshot.Events) Apply(e);
    }

    /// <summary>Recovers from a compact snapshot. Only into a state without history: the history before it is only in the journal.</summary>
    public void Restore(RunStateSnapshot s)
    {
        if (keepHistory) throw new InvalidOperationException("a RunState with history is folded from the journal's events, not restored from a snapshot");
        (Run, Plan, StartedAt) = (s.Run, s.Plan, s.StartedAt);
        Evolution = s.Plan.NewEvolution(keepHistory: false);
        Evolution.Restore(new EvolutionMemento(
            s.Population.Select(i => new Individual(ToEvaluation(i.Evaluation), i.Fitness, i.ParentChecked)).ToArray(),
            s.InFlight.Select(ToProposal).ToArray(),
            s.FitnessByFingerprint,
            s.Counts.ToDictionary(c => WireNames.Status.Parse(c.Key), c => c.Value),
            s.Best is null ? null : ToEvaluation(s.Best),
            s.RngState, s.NextId, s.InitialProposed, s.FreeInARow, s.Trained, s.RungScores, s.Rungs,
            s.Leaders?.Select(ToEvaluation).ToArray(), s.FinalCheckProposed, s.CheckedFingerprints));
    }

    /// <summary>
    /// The state now, as a compact snapshot. Take it when the event just applied is the last one
    /// applied, and save it once that event is durable: then it holds exactly the journal's prefix.
    /// </summary>
    public RunStateSnapshot Snapshot(DateTime at)
    {
        var m = Evolution!.Capture();
        return new RunStateSnapshot(Schema.Version, Run!, Plan!, StartedAt!.Value,
            m.Population.Select(i => new SnapshotIndividual(ToSnapshot(i.Evaluation, at), i.Fitness, i.ParentChecked)).ToArray(),
            m.InFlight.Select(p => ToEvent(p, at)).ToArray(),
            m.FitnessByFingerprint,
            m.Counts.ToDictionary(c => WireNames.Status[c.Key], c => c.Value),
            m.Best is null ? null : ToSnapshot(m.Best, at),
            m.RngState, m.NextId, m.InitialProposed, m.FreeInARow, m.Trained, m.RungScores, m.Rungs,
            m.Leaders is { Count: > 0 } l ? l.Select(e => ToSnapshot(e, at)).ToArray() : null, m.FinalCheckProposed,
            m.CheckedFingerprints is { Count: > 0 } c ? c.ToArray() : null);
    }

    static SnapshotEvaluation ToSnapshot(Evaluation e, DateTime at) =>
        new(ToEvent(e.Proposal, at), WireNames.Status[e.Status], e.Fitness, e.Reason, e.Worker, e.Seconds, e.Fraction);

    static Evaluation ToEvaluation(SnapshotEvaluation e) =>
        new(ToProposal(e.Proposal), WireNames.Status.Parse(e.Status), e.Fitness, e.Reason, e.Worker, e.Seconds, e.Fraction ?? 1);

    public static CandidateProposed ToEvent(Proposal p, DateTime at) => new(
        Schema.Version, p.Id, p.Genome.Encode(), p.Expression, p.Fingerprint, p.ParentId,
        p.Mutation is { } m ? WireNames.Mutation[m.Kind] : null, p.Mutation?.Slot ?? -1, p.Mutation?.From, p.Mutation?.To,
        p.Sample.ToArray(), WireNames.Proposal[p.Kind], p.Rejection is { } r ? WireNames.Rejection[r] : null, p.CachedFitness, p.RngState, at);

    public static Proposal ToProposal(CandidateProposed e) => new(
        e.Id, Genome.Decode(e.Genome), e.Expression, e.Fingerprint, e.ParentId,
        e.MutationKind is null ? null : new MutationRecord(WireNames.Mutation.Parse(e.MutationKind), e.MutationSlot, e.MutationFrom, e.MutationTo),
        e.Sample, WireNames.Proposal.Parse(e.Kind), e.Rejection is null ? null : WireNames.Rejection.Parse(e.Rejection), e.CachedFitness, e.RngState);
}
