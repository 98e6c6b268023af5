namespace EvoAct.Cluster.Messages;

// Between the command line (or a test) and the population actor.

/// <summary>
/// Sent by the population after recovery: a new run, a resumed one, or a refusal (config mismatch,
/// or another writer holds the run). Finished: recovered already finished, with nothing left to do.
/// Sent again after each recovery that follows a journal outage.
/// </summary>
public sealed record RunReady(string Run, bool Resumed, int Evaluations, IReadOnlyList<string> Changes, string? Refusal, bool Finished = false) : IEvoActMessage;

/// <summary>The journal failed (a write, or the recovery after one); the coordinator tries again in RetryIn.</summary>
public sealed record JournalUnavailable(string Run, string Reason, TimeSpan RetryIn) : IEvoActMessage;

/// <summary>The journal has been unavailable past evoact.run.journal-outage-limit (or the run was taken over): the coordinator stopped.</summary>
public sealed record JournalGaveUp(string Run, string Message) : IEvoActMessage;

/// <summary>Subscribe to progress reports and the finish notice.</summary>
public sealed record SubscribeProgress : IEvoActMessage
{
    public static SubscribeProgress Instance { get; } = new();
}

/// <summary>Where a run stands, published after every settled evaluation (throttled) and on request.</summary>
public sealed record RunProgress(
    string Run, int Trained, int MaxEvaluations, int Completed, int Failed, int Diverged, int Rejected, int Deduplicated,
    int InFlight, double EvaluationsPerSecond, double? BestFitness, string? BestExpression, double? PopulationBest,
    double? PopulationMedian, bool Finished, long? GenomesProposed = null, long? SpaceSize = null,
    int FinalCheckSettled = 0, int FinalCheckTotal = 0) : IEvoActMessage;

public sealed record GetProgress : IEvoActMessage
{
    public static GetProgress Instance { get; } = new();
}
