using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Persistence;
using EvoAct.Training.Trainer;

namespace EvoAct.Cluster.Transfer;

/// <summary>One training of a transfer: an activation (expression or baseline name) with a seed.</summary>
public sealed record TransferJob(int Id, string Activation, int Seed);

/// <summary>What a transfer retrains, on what: persisted first, compared on resume.</summary>
public sealed record TransferPlan(string SourceRun, string Preset, IReadOnlyList<TransferJob> Jobs, TrainerSettings Training)
{
    public bool Same(TransferPlan o) =>
        SourceRun == o.SourceRun && Preset == o.Preset && Training.Equals(o.Training) && Jobs.SequenceEqual(o.Jobs);
}

public sealed record TransferStarted(int SchemaVersion, TransferPlan Plan, DateTime At) : IRunEvent;

/// <summary>A finished job: completed with test and validation accuracy, or diverged/failed with a reason.</summary>
public sealed record TransferJobDone(int SchemaVersion, int Job, string Status, double? TestAccuracy, double? ValidationAccuracy,
                                     string? Reason, string? Worker, double Seconds, DateTime At) : IRunEvent;
