using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Persistence;
using EvoAct.Training.Trainer;

namespace EvoAct.Cluster.Transfer;

/// <summary>
/// One training of a transfer: an activation (expression or baseline name) with a seed. OnProxy: on
/// the plan's proxy setup (a fidelity study), scored by validation accuracy; else on its target,
/// scored by test accuracy.
/// </summary>
public sealed record TransferJob(int Id, string Activation, int Seed, bool OnProxy = false);

/// <summary>
/// What a transfer retrains, on what: persisted first, compared on resume. A fidelity study is a
/// transfer with a second setup, the proxy (its preset in ProxyPreset), that some jobs train on.
/// </summary>
public sealed record TransferPlan(string SourceRun, string Preset, IReadOnlyList<TransferJob> Jobs, TrainerSettings Training,
                                  TrainerSettings? Proxy = null, string? ProxyPreset = null)
{
    public bool Same(TransferPlan o) =>
        SourceRun == o.SourceRun && Preset == o.Preset && Training.Equals(o.Training) && Jobs.SequenceEqual(o.Jobs) &&
        Equals(Proxy, o.Proxy) && ProxyPreset == o.ProxyPreset;

    /// <summary>The setup a job trains on, with its seed laid over the setup's.</summary>
    public TrainerSettings SetupOf(TransferJob j)
    {
        var t = j.OnProxy ? Proxy ?? throw new InvalidOperationException($"job {j.Id} is for the proxy, but the plan has none") : Training;
        return t with { Seed = t.Seed + (ulong)j.Seed };
    }
}

public sealed record TransferStarted(int SchemaVersion, TransferPlan Plan, DateTime At) : IRunEvent;

/// <summary>A finished job: completed with test and validation accuracy, or diverged/failed with a reason.</summary>
public sealed record TransferJobDone(int SchemaVersion, int Job, string Status, double? TestAccuracy, double? ValidationAccuracy,
                                     string? Reason, string? Worker, double Seconds, DateTime At) : IRunEvent;
