namespace EvoAct.Cluster.Messages;

// Between the command line (or a test) and the population actor.

/// <summary>Sent by the population after recovery: a new run, a resumed one, or a refusal (config mismatch).</summary>
public sealed record RunReady(string Run, bool Resumed, int Evaluations, IReadOnlyList<string> Changes, string? Refusal) : IEvoActMessage;

/// <summary>Subscribe to progress reports and the finish notice.</summary>
public sealed record SubscribeProgress : IEvoActMessage
{
    public static SubscribeProgress Instance { get; } = new();
}

/// <summary>Where a run stands, published after every settled evaluation (throttled) and on request.</summary>
public sealed record RunProgress(
    string Run, int Trained, int MaxEvaluations, int Completed, int Failed, int Diverged, int Rejected, int Deduplicated,
    int InFlight, double EvaluationsPerSecond, double? BestFitness, string? BestExpression, double? PopulationBest,
    double? PopulationMedian, bool Finished) : IEvoActMessage;

public sealed record GetProgress : IEvoActMessage
{
    public static GetProgress Instance { get; } = new();
}
