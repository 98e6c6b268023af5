using System.Diagnostics;
using EvoAct.Search;
using EvoAct.Training.Activations;
using EvoAct.Training.Data;
using EvoAct.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace EvoAct.Training.Trainer;

/// <summary>
/// One child network's training as a session that can stop after any step and go on later: the model,
/// the optimizer (momentum buffers), the batch order and the learning-rate schedule of the full budget
/// stay in memory, so training to step k and then on to the end gives exactly the numbers of training
/// straight to the end (multi-fidelity search keeps a candidate's session between rungs). Validation
/// in between runs in eval mode without gradients and draws nothing, so it changes nothing either.
/// Made for a pinned thread: TorchSharp's dispose scopes are per thread.
/// </summary>
public sealed class ChildTraining : IDisposable
{
    readonly TrainerSettings s;
    readonly bool test;
    readonly IProgress<TrainingProgress>? progress;
    readonly TrainingLog? log;
    readonly PreparedData data;
    readonly nn.Module<Tensor, Tensor> model;
    readonly optim.Optimizer optimizer;
    readonly Batches batches;
    readonly IEnumerator<(Tensor X, Tensor Y)> order;
    readonly IReadOnlyList<(double Fraction, int Step)> curveSteps;
    readonly List<CurvePoint> curve = new();
    readonly Stopwatch clock = Stopwatch.StartNew(), trainClock = new();
    EvaluationResult? final;

    public int TotalSteps { get; }
    public int Step { get; private set; }
    /// <summary>Set once training has ended: at the last step, or diverged.</summary>
    public EvaluationResult? Final => final;
    public IReadOnlyList<CurvePoint> Curve => curve;

    public ChildTraining(Activation activation, TrainerSettings s, bool test = false, IProgress<TrainingProgress>? progress = null, string? logName = null)
    {
        (this.s, this.test, this.progress) = (s, test || s.RecordTest, progress);
        ChildTrainer.ConfigureThreads(s.Threads);
        HostMemory.Apply(s.HostMemory);
        ZeroFill.Apply(s.ZeroFill);   // after the threads and the allocator are set: its probe runs as training will
        var device = torch.device(s.Device);
        data = PreparedData.Get(s.Data);
        clock.Restart(); // seconds of training, not of loading the dataset the first time
        var spec = ModelCatalog.Find(s.Model, s.ProxyBlocks, s.ProxyWidth, s.ProxyStemStride)
                   ?? throw new ArgumentException($"unknown model '{s.Model}'");
        TotalSteps = s.TotalSteps(data.Train.Count);
        curveSteps = s.CurveSteps(TotalSteps);
        log = TrainingLog.Open(s.TensorBoardDir, logName ?? $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{activation.Canonical}");
        model = spec.Build(data.Train.Channels, data.Train.Classes, activation.FactoryWith(s.ActivationKernels), (long)(s.Seed & long.MaxValue));
        model.to(device);
        optimizer = optim.SGD(model.parameters(), s.LearningRate, momentum: s.Momentum, weight_decay: s.WeightDecay, nesterov: s.Nesterov && s.Momentum > 0);
        batches = new Batches(data, device);
        order = batches.Training(s.BatchSize, new Rng(s.Seed ^ 0xDA7A_5EEDUL)).GetEnumerator();
        model.train();
    }

    /// <summary>
    /// Trains on to <paramref name="target"/> steps (at most the budget) and returns the validation
    /// accuracy and loss there; at the budget's end, or on divergence, <see cref="Final"/> is set too.
    /// </summary>
    public CurvePoint RunTo(int target, CancellationToken cancel = default)
    {
        if (final is not null) throw new InvalidOperationException("this training has ended");
        target = Math.Clamp(target, Step, TotalSteps);
        trainClock.Start();
        try
        {
            while (Step < target)
            {
                cancel.ThrowIfCancellationRequested();
                if (!TrainStep()) return curve.Count > 0 ? curve[^1] : new CurvePoint((double)Step / TotalSteps, Step, 0, double.NaN);
                if (Step < TotalSteps && curve.Count < curveSteps.Count && curveSteps[curve.Count].Step == Step)
                    curve.Add(Validate(curveSteps[curve.Count].Fraction));
            }
        }
        finally
        {
            trainClock.Stop();
        }
        if (Step == TotalSteps) return Finish();
        // a point that is not one of the curve's: measured for the caller only
        return curve.Count > 0 && curve[^1].Step == Step ? curve[^1] : Validate((double)Step / TotalSteps);
    }

    /// <summary>One step; false (and <see cref="Final"/> set) when the loss is not finite.</summary>
    bool TrainStep()
    {
        if (!order.MoveNext()) throw new InvalidOperationException("the batch order ended");
        var (x, y) = order.Current;
        using var scope = NewDisposeScope();
        using var batchX = x;
        using var batchY = y;
        double lr = LearningRateSchedule.At(s, Step, TotalSteps);
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
        optimizer.zero_grad();
        var logits = model.call(x);
        var loss = nn.functional.cross_entropy(logits, y);
        double lossValue = loss.item<float>();
        log?.Batch(lossValue, logits.argmax(1).eq(y).sum().item<long>(), x.shape[0]); // arguments are not evaluated when logging is off
        if (!double.IsFinite(lossValue))
        {
            final = Diverged(Step) with { Curve = curve };
            return false;
        }
        loss.backward();
        optimizer.step();
        Step++;
        log?.Step(Step, lr, data.Train.Count, s.BatchSize);
        if (progress is not null && (Step % 10 == 0 || Step == TotalSteps))
            progress.Report(new TrainingProgress(Step, TotalSteps, lossValue, lr, s.BatchSize * Step / trainClock.Elapsed.TotalSeconds));
        return true;
    }

    /// <summary>Validation in eval mode (BatchNorm's running statistics), then back to training.</summary>
    CurvePoint Validate(double fraction)
    {
        model.eval();
        var (acc, loss) = ChildTrainer.Measure(model, batches, data.Validation, s.EvalBatchSize);
        model.train();
        return new CurvePoint(fraction, Step, acc, loss);
    }

    CurvePoint Finish()
    {
        model.eval();
        var (valAcc, valLoss) = ChildTrainer.Measure(model, batches, data.Validation, s.EvalBatchSize);
        var point = new CurvePoint(1.0, Step, valAcc, valLoss);
        if (curve.Count < curveSteps.Count && curveSteps[curve.Count].Step == Step)
            curve.Add(point with { Fraction = curveSteps[curve.Count].Fraction });
        double rate = s.BatchSize * Step / Math.Max(trainClock.Elapsed.TotalSeconds, 1e-9);
        if (!double.IsFinite(valLoss))
        {
            final = Diverged(Step) with { ValidationAccuracy = valAcc, Curve = curve, ImagesPerSecond = rate };
            return point;
        }
        double? testAcc = test ? ChildTrainer.Measure(model, batches, data.Test, s.EvalBatchSize).Accuracy : null;
        log?.Final(Step, valAcc, valLoss, testAcc);
        final = new EvaluationResult(Outcome.Ok, valAcc, valLoss, testAcc, Step, null, clock.Elapsed.TotalSeconds, rate, Curve: curve);
        return point;
    }

    EvaluationResult Diverged(int step) =>
        new(Outcome.Diverged, 0, double.NaN, null, step, step, clock.Elapsed.TotalSeconds, s.BatchSize * step / Math.Max(trainClock.Elapsed.TotalSeconds, 1e-9),
            $"non-finite loss at step {step}");

    public void Dispose()
    {
        order.Dispose();
        batches.Dispose();
        optimizer.Dispose();
        model.Dispose();
    }
}
