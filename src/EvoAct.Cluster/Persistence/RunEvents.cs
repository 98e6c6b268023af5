using EvoAct.Cluster.Messages;

namespace EvoAct.Cluster.Persistence;

/// <summary>A persisted event of a run. SchemaVersion lets later code read journals written by earlier code.</summary>
public interface IRunEvent : IEvoActMessage
{
    int SchemaVersion { get; }
    DateTime At { get; }
}

public static class Schema
{
    public const int Version = 1;
}

public sealed record RunStarted(int SchemaVersion, string Run, RunPlan Plan, DateTime At) : IRunEvent;

/// <summary>A decision of the strategy (see <see cref="Search.Strategies.Proposal"/>), with the generator state after it.</summary>
public sealed record CandidateProposed(
    int SchemaVersion, long Id, string Genome, string Expression, string Fingerprint, long? ParentId,
    string? MutationKind, int MutationSlot, string? MutationFrom, string? MutationTo, long[] Sample,
    string Kind, string? Rejection, double? CachedFitness, ulong RngState, DateTime At) : IRunEvent;

/// <summary>
/// The proposals one free trainer's request went through, in order: the free ones (rejected or
/// deduplicated, settled at once) and, last, the one it trains, if any. One journal row instead of
/// one per proposal, since late in a run most proposals are free. A single proposal is written as a
/// plain <see cref="CandidateProposed"/>.
/// </summary>
public sealed record CandidatesProposed(int SchemaVersion, IReadOnlyList<CandidateProposed> Proposals, DateTime At) : IRunEvent;

/// <summary>
/// A trained candidate's result: completed (with fitness), diverged or failed (with a reason). Seeds:
/// each training's detail (loss, test accuracy, learning curve); Device: what trained it (the worker's, e.g. cpu or cuda:1).
/// Both absent in journals written before they existed.
/// </summary>
public sealed record EvaluationSettled(
    int SchemaVersion, long Id, string Status, double? Fitness, string? Reason, string? Worker, double Seconds, DateTime At,
    IReadOnlyList<SeedResult>? Seeds = null, string? Device = null) : IRunEvent;

/// <summary>
/// A candidate was handed to a trainer: which one, on which device, when. Written at each hand-out
/// (a re-dispatch too, not a repeated answer to the same trainer), so the read side shows who trains
/// what while it trains; the settled event names the worker again.
/// </summary>
public sealed record CandidateDispatched(int SchemaVersion, long Id, string Worker, string? Device, DateTime At) : IRunEvent;

/// <summary>
/// A candidate reached a rung short of the full budget (multi-fidelity) with this validation score,
/// and the coordinator decided: promoted (it trains on) or stopped (it settles as stopped).
/// </summary>
public sealed record RungReached(
    int SchemaVersion, long Id, int Rung, double? Score, bool Promoted, string? Worker, double Seconds, DateTime At,
    IReadOnlyList<SeedResult>? Seeds = null, string? Device = null) : IRunEvent;

/// <summary>A resume changed what may change (mutation weights, max evaluations).</summary>
public sealed record RunReconfigured(int SchemaVersion, RunPlan Plan, IReadOnlyList<string> Changes, DateTime At) : IRunEvent;

/// <summary>
/// The first snapshot format: every event so far, folded again on recovery. It grew with the run
/// (and each snapshot cost as much as the whole history), so runs now write <see cref="RunStateSnapshot"/>;
/// this one is still read, so runs begun by earlier versions resume.
/// </summary>
public sealed record RunSnapshot(int SchemaVersion, IReadOnlyList<IRunEvent> Events) : IEvoActMessage;
