using System.Text.Json.Serialization;
using EvoAct.Training.Activations;
using EvoAct.Training.Data;

namespace EvoAct.Training.Trainer;

/// <summary>evoact.training.*: the child network and how it is trained. One record = one comparable fitness.</summary>
public sealed record TrainerSettings : IJsonOnDeserializing
{
    public string Model { get; init; } = "proxy-resnet";
    public int ProxyBlocks { get; init; } = 1;
    public int ProxyWidth { get; init; } = 8;
    public int ProxyStemStride { get; init; } = 1;

    /// <summary>Optimisation steps; when 0, <see cref="Epochs"/> over the training split decides.</summary>
    public int Steps { get; init; } = 100;
    public double Epochs { get; init; }
    public int BatchSize { get; init; } = 128;
    public int EvalBatchSize { get; init; } = 500;

    public double LearningRate { get; init; } = 0.1;
    public double Momentum { get; init; } = 0.9;
    public bool Nesterov { get; init; } = true;
    public double WeightDecay { get; init; } = 5e-4;
    public string Schedule { get; init; } = "cosine";          // cosine | step
    public int WarmupSteps { get; init; }
    public IReadOnlyList<double> StepMilestones { get; init; } = [0.5, 0.75];   // fractions of the budget
    public double StepGamma { get; init; } = 0.1;

    /// <summary>
    /// cpu | cuda | cuda:N, and torch threads (0: all cores). The training node's, not the run's: each
    /// trainer lays its own over the run's settings, so they are not part of <see cref="Equals(TrainerSettings?)"/>
    /// (a cluster may mix GPU and CPU workers, a resumed run may move to another machine).
    /// </summary>
    public string Device { get; init; } = "cpu";
    public int Threads { get; init; }
    public ulong Seed { get; init; }

    /// <summary>
    /// <see cref="Trainer.HostMemory"/>: retain (keep freed tensor memory for the next step) or release.
    /// Speed only, so not part of <see cref="Equals(TrainerSettings?)"/>.
    /// </summary>
    public string HostMemory { get; init; } = Trainer.HostMemory.Retain;

    /// <summary>
    /// <see cref="Trainer.ZeroFill"/>: auto (zero-filled allocations where a probe finds convolutions that
    /// read memory they never wrote), on or off. Where the defect is absent filling changes no result,
    /// and where it is present it makes them right, so it is not part of <see cref="Equals(TrainerSettings?)"/>.
    /// </summary>
    public string ZeroFill { get; init; } = Trainer.ZeroFill.Auto;

    public DataSettings Data { get; init; } = new();

    string activationKernels = Activations.ActivationKernels.Compiled;

    /// <summary>
    /// <see cref="Activations.ActivationKernels"/>: compiled (one fused kernel per expression) or composed
    /// (one TorchSharp op per node). The two differ in the last bits, so this is part of the
    /// comparable setup: a resumed run cannot silently mix them.
    /// </summary>
    public string ActivationKernels { get => activationKernels; init => activationKernels = value; }

    /// <summary>Runs journaled before the compiler existed have no ActivationKernels: they trained composed.</summary>
    void IJsonOnDeserializing.OnDeserializing() => activationKernels = Activations.ActivationKernels.Composed;

    /// <summary>
    /// Where to write TensorBoard scalars (train loss and accuracy per epoch, learning rate, final
    /// validation); null: off. Not part of <see cref="Equals(TrainerSettings?)"/>: logging does not change fitness.
    /// </summary>
    public string? TensorBoardDir { get; init; }

    /// <summary>
    /// Fractions of the budget in (0, 1] after which validation accuracy and loss are measured (the
    /// learning curve). Measuring in eval mode without gradients draws nothing from the batch order and
    /// leaves BatchNorm's statistics alone, so it does not change fitness: not part of Equals.
    /// </summary>
    public IReadOnlyList<double> Curve { get; init; } = [0.125, 0.25, 0.5, 1.0];

    /// <summary>Also measure test accuracy after training (benchmark tables). The search never reads it; not part of Equals.</summary>
    public bool RecordTest { get; init; }

    /// <summary>The steps after which <see cref="Curve"/>'s points are measured, ascending, distinct, each in 1..total.</summary>
    public IReadOnlyList<(double Fraction, int Step)> CurveSteps(int total) => Curve
        .Select(f => (Fraction: f, Step: Math.Clamp((int)Math.Round(f * total), 1, total)))
        .GroupBy(p => p.Step).Select(g => g.First()).OrderBy(p => p.Step).ToArray();

    public int TotalSteps(long trainCount) =>
        Steps > 0 ? Steps : Math.Max(1, (int)Math.Ceiling(Epochs * trainCount / BatchSize));

    public bool Equals(TrainerSettings? o) =>
        o is not null && Model == o.Model && ProxyBlocks == o.ProxyBlocks && ProxyWidth == o.ProxyWidth && ProxyStemStride == o.ProxyStemStride && Steps == o.Steps &&
        Epochs == o.Epochs && BatchSize == o.BatchSize && EvalBatchSize == o.EvalBatchSize && LearningRate == o.LearningRate &&
        Momentum == o.Momentum && Nesterov == o.Nesterov && WeightDecay == o.WeightDecay && Schedule == o.Schedule &&
        WarmupSteps == o.WarmupSteps && StepMilestones.SequenceEqual(o.StepMilestones) && StepGamma == o.StepGamma &&
        Seed == o.Seed && Data == o.Data && ActivationKernels == o.ActivationKernels;

    public override int GetHashCode() => HashCode.Combine(Model, Steps, BatchSize, LearningRate, Data);
}
