using System.Diagnostics;
using EvoAct.Search;
using EvoAct.Training.Activations;
using EvoAct.Training.Data;
using EvoAct.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace EvoAct.Training.Trainer;

/// <summary>
/// Trains a child network with a candidate activation and returns its validation accuracy, the
/// search's fitness. Made to run hundreds of evaluations in one process: the data is loaded once,
/// every step runs in its own dispose scope, and the model and optimizer are disposed at the end.
/// A non-finite loss ends the run as "diverged"; it never throws.
/// </summary>
public static class ChildTrainer
{
    static int configuredThreads = -1;

    /// <param name="logName">TensorBoard run name under <see cref="TrainerSettings.TensorBoardDir"/> (default: time and activation).</param>
    public static EvaluationResult Evaluate(Activation activation, TrainerSettings s, bool test = false,
                                            IProgress<TrainingProgress>? progress = null, CancellationToken cancel = default, string? logName = null)
    {
        var log = TrainingLog.Open(s.TensorBoardDir, logName ?? $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{activation.Canonical}");
        ConfigureThreads(s.Threads);
        HostMemory.Apply(s.HostMemory);
        var device = torch.device(s.Device);
        var data = PreparedData.Get(s.Data);
        var spec = ModelCatalog.Find(s.Model, s.ProxyBlocks, s.ProxyWidth, s.ProxyStemStride)
                   ?? throw new ArgumentException($"unknown model '{s.Model}'");
        int total = s.TotalSteps(data.Train.Count);
        test |= s.RecordTest;
        var curveSteps = s.CurveSteps(total);
        var curve = new List<CurvePoint>(curveSteps.Count);
        var clock = Stopwatch.StartNew();

        using var model = spec.Build(data.Train.Channels, data.Train.Classes, activation.FactoryWith(s.ActivationKernels), (long)(s.Seed & long.MaxValue));
        model.to(device);
        using var optimizer = optim.SGD(model.parameters(), s.LearningRate, momentum: s.Momentum,
                                        weight_decay: s.WeightDecay, nesterov: s.Nesterov && s.Momentum > 0);
        using var batches = new Batches(data, device);
        var rng = new Rng(s.Seed ^ 0xDA7A_5EEDUL);

        model.train();
        int step = 0;
        double trainSeconds = 0;
        var trainClock = Stopwatch.StartNew();
        foreach (var (x, y) in batches.Training(s.BatchSize, rng))
        {
            if (step >= total) { x.Dispose(); y.Dispose(); break; }
            cancel.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            using var batchX = x;
            using var batchY = y;
            double lr = LearningRateSchedule.At(s, step, total);
            foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
            optimizer.zero_grad();
            var logits = model.call(x);
            var loss = nn.functional.cross_entropy(logits, y);
            double lossValue = loss.item<float>();
            log?.Batch(lossValue, logits.argmax(1).eq(y).sum().item<long>(), x.shape[0]); // arguments are not evaluated when logging is off
            if (!double.IsFinite(lossValue))
                return Diverged(step, clock.Elapsed.TotalSeconds, s.BatchSize * step / Math.Max(trainClock.Elapsed.TotalSeconds, 1e-9)) with { Curve = curve };
            loss.backward();
            optimizer.step();
            step++;
            log?.Step(step, lr, data.Train.Count, s.BatchSize);
            if (curve.Count < curveSteps.Count && curveSteps[curve.Count].Step == step && step < total)
            {
                // Mid-training points: eval mode (BatchNorm's running statistics), then back.
                model.eval();
                var (acc, lossAt) = Measure(model, batches, data.Validation, s.EvalBatchSize);
                curve.Add(new CurvePoint(curveSteps[curve.Count].Fraction, step, acc, lossAt));
                model.train();
            }
            if (progress is not null && (step % 10 == 0 || step == total))
                progress.Report(new TrainingProgress(step, total, lossValue, lr, s.BatchSize * step / trainClock.Elapsed.TotalSeconds));
        }
        trainSeconds = trainClock.Elapsed.TotalSeconds;

        model.eval();
        var (valAcc, valLoss) = Measure(model, batches, data.Validation, s.EvalBatchSize);
        if (curve.Count < curveSteps.Count && curveSteps[curve.Count].Step == step)
            curve.Add(new CurvePoint(curveSteps[curve.Count].Fraction, step, valAcc, valLoss));
        if (!double.IsFinite(valLoss))
            return Diverged(step, clock.Elapsed.TotalSeconds, s.BatchSize * step / trainSeconds) with { ValidationAccuracy = valAcc, Curve = curve };
        double? testAcc = test ? Measure(model, batches, data.Test, s.EvalBatchSize).Accuracy : null;
        log?.Final(step, valAcc, valLoss, testAcc);
        return new EvaluationResult(Outcome.Ok, valAcc, valLoss, testAcc, step, null, clock.Elapsed.TotalSeconds,
                                    s.BatchSize * step / Math.Max(trainSeconds, 1e-9), Curve: curve);
    }

    static EvaluationResult Diverged(int step, double seconds, double imagesPerSecond) =>
        new(Outcome.Diverged, 0, double.NaN, null, step, step, seconds, imagesPerSecond, $"non-finite loss at step {step}");

    /// <summary>Accuracy and mean loss over a set, in eval mode (BatchNorm running statistics), without gradients.</summary>
    static (double Accuracy, double Loss) Measure(nn.Module<Tensor, Tensor> model, Batches batches, ImageSet set, int batchSize)
    {
        using var noGrad = no_grad();
        long correct = 0;
        double lossSum = 0;
        foreach (var (x, y) in batches.Evaluation(set, batchSize))
        {
            using var scope = NewDisposeScope();
            using var batchX = x;
            using var batchY = y;
            var logits = model.call(x);
            lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
            correct += logits.argmax(1).eq(y).sum().item<long>();
        }
        return ((double)correct / set.Count, lossSum / set.Count);
    }

    static void ConfigureThreads(int threads)
    {
        int wanted = threads > 0 ? threads : Environment.ProcessorCount;
        if (Interlocked.Exchange(ref configuredThreads, wanted) == wanted) return;
        set_num_threads(wanted);
    }
}
