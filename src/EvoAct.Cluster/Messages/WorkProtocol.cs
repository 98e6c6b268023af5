using EvoAct.Cluster.Persistence;
using EvoAct.Search.Strategies;
using EvoAct.Training.Trainer;

namespace EvoAct.Cluster.Messages;

// The pull protocol between trainers and the population: a free trainer asks, the population answers
// with a candidate or with "nothing now". Fast and slow trainers therefore both stay busy.

/// <summary>A trainer is free. Device: the device its slot trains on (null: the run's configured one).</summary>
public sealed record RequestWork(string WorkerId, string? Device = null) : IEvoActMessage;

/// <summary>
/// Train this candidate with these settings (the run's, so workers need no matching config). Test:
/// also measure test accuracy (transfer runs; the search itself never reads the test set). Seeds:
/// train it that many times, with training seeds Training.Seed, +1, ... (evoact.evolution.seeds-per-candidate);
/// the fitness is their mean. RunSeed: the run's evolution seed, for trainers that draw (the table trainer).
/// Rungs: multi-fidelity fractions of the budget (the last 1.0); the trainer stops at each, reports a
/// <see cref="RungResult"/> and waits for the <see cref="RungDecision"/>. Null: train straight through.
/// Of and SeedOffset: a re-evaluation (parent or final check) of evaluation Of, whose seeds start
/// SeedOffset after that evaluation's (Training.Seed already says so; the table trainer needs both to
/// pick the recorded trainings that evaluation did not get).
/// </summary>
public sealed record Work(string Run, long Id, string Expression, TrainerSettings Training, bool Test = false, int Seeds = 1, ulong RunSeed = 0,
                         IReadOnlyList<double>? Rungs = null, long? Of = null, int SeedOffset = 0) : IEvoActMessage;

/// <summary>
/// A candidate has trained to rung <paramref name="Rung"/> (short of the full budget): its score there
/// (the seeds' mean validation accuracy). The trainer keeps its training in memory and sends this
/// again until it hears the decision.
/// </summary>
public sealed record RungResult(long Id, string WorkerId, int Rung, double? Score, double Seconds, string Expression,
                                IReadOnlyList<SeedResult>? Seeds = null, string? Device = null) : IEvoActMessage;

/// <summary>The coordinator's answer to a <see cref="RungResult"/>: train on to the next rung, or stop (the candidate is settled as stopped).</summary>
public sealed record RungDecision(long Id, int Rung, bool Continue) : IEvoActMessage;

/// <summary>Nothing to train now; Finished when the run has spent its budget.</summary>
public sealed record NoWork(bool Finished) : IEvoActMessage;

/// <summary>
/// The outcome of a Work. Status is completed, diverged or failed; Fitness is validation accuracy.
/// Idempotent by Id: a duplicate or late result is ignored. Expression echoes the Work's, so that a
/// result can never be credited to a different candidate that reuses its id (a restarted coordinator
/// re-proposes from its durable state; after a reconfiguration that may be another genome).
/// </summary>
public sealed record WorkResult(long Id, string WorkerId, string Status, double? Fitness, string? Reason, double Seconds, double? TestAccuracy = null,
                                string? Expression = null, IReadOnlyList<SeedResult>? Seeds = null, string? Device = null) : IEvoActMessage
{
    /// <summary>
    /// This result as a journal may hold it: journals hold only the closed set of a training's
    /// outcomes, so anything else from the wire is a failure that names what was reported (its scores
    /// and trainings dropped). Every coordinator journals results through this.
    /// </summary>
    public WorkResult Checked() =>
        WireNames.Status.TryParse(Status, out var s) && WireNames.IsTrainingOutcome(s) ? this
            : this with { Status = WireNames.Status[EvaluationStatus.Failed], Fitness = null, TestAccuracy = null, Seeds = null,
                          Reason = $"trainer reported an unknown outcome '{Status}'" };
}

/// <summary>
/// One training of a candidate: its training seed, outcome, final validation accuracy and loss, test
/// accuracy if measured, seconds and learning curve. A Work with seeds-per-candidate N has N of them.
/// </summary>
public sealed record SeedResult(ulong Seed, string Status, double? Accuracy, double? Loss, double? TestAccuracy, double Seconds,
                                IReadOnlyList<CurvePoint>? Curve = null, string? Reason = null)
{
    /// <summary>The evaluation's outcome from its seeds': completed (mean accuracy) only if every seed completed; else the first seed that did not, with its reason.</summary>
    public static (string Status, double? Fitness, string? Reason, double? TestAccuracy) Combine(IReadOnlyList<SeedResult> seeds)
    {
        var completed = WireNames.Status[EvaluationStatus.Completed];
        var bad = seeds.FirstOrDefault(s => s.Status != completed);
        if (bad is not null)
            return (bad.Status, null, seeds.Count == 1 ? bad.Reason : $"seed {bad.Seed}: {bad.Reason}", null);
        return (completed, seeds.Average(s => s.Accuracy!.Value), null,
                seeds.All(s => s.TestAccuracy is not null) ? seeds.Average(s => s.TestAccuracy!.Value) : null);
    }
}

/// <summary>
/// The coordinator has this result durably (or never will credit it: a duplicate, a stale one). Until
/// a trainer hears it, the trainer keeps the result and sends it again, so a result that arrives during
/// a journal outage is delivered once the coordinator is back instead of being trained again.
/// </summary>
public sealed record ResultAccepted(long Id) : IEvoActMessage;
