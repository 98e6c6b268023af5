using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Persistence;
using EvoAct.Search.Strategies;
using EvoAct.Training.Activations;
using EvoAct.Training.Trainer;

namespace EvoAct.Cluster.Actors;

/// <summary>The real fitness: train the child network (TorchSharp) and take its validation accuracy.</summary>
public sealed class TorchEvaluator : IEvaluator
{
    /// <summary>
    /// Loads (and caches, for the trainers) the dataset that local trainers will train on, so a
    /// missing, truncated or malformed file stops the command before the run starts, with the
    /// file's name (a DatasetException), instead of failing every evaluation.
    /// </summary>
    public static void Preload(TrainerSettings training) => Training.Data.PreparedData.Get(training.Data);

    public WorkResult Evaluate(Work work, string workerId, CancellationToken cancel)
    {
        var seeds = new List<SeedResult>(work.Seeds);
        for (int i = 0; i < Math.Max(1, work.Seeds); i++)
        {
            var training = work.Training with { Seed = work.Training.Seed + (ulong)i };
            var seed = Train(work, training, i, cancel);
            seeds.Add(seed);
            // A failure (an exception) would repeat; a divergence may be the seed's, and each seed's outcome is data.
            if (seed.Status == WireNames.Status[EvaluationStatus.Failed]) break;
        }
        var (status, fitness, reason, test) = SeedResult.Combine(seeds);
        return new WorkResult(work.Id, workerId, status, fitness, reason, seeds.Sum(s => s.Seconds), test, Seeds: seeds);
    }

    static SeedResult Train(Work work, TrainerSettings training, int index, CancellationToken cancel)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var r = ChildTrainer.Evaluate(Activation.Parse(work.Expression), training, test: work.Test, cancel: cancel,
                                          logName: work.Seeds > 1 ? $"{work.Run}/{work.Id:D6}-{index}" : $"{work.Run}/{work.Id:D6}");
            return r.Outcome == Outcome.Ok
                ? new SeedResult(training.Seed, WireNames.Status[EvaluationStatus.Completed], r.ValidationAccuracy, r.ValidationLoss, r.TestAccuracy, r.Seconds, r.Curve)
                : new SeedResult(training.Seed, WireNames.Status[EvaluationStatus.Diverged], null, null, null, r.Seconds, r.Curve, r.Reason);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            // An exception in training is a failed evaluation with its reason, never a dead worker.
            return new SeedResult(training.Seed, WireNames.Status[EvaluationStatus.Failed], null, null, null, clock.Elapsed.TotalSeconds,
                                  Reason: $"{e.GetType().Name}: {e.Message.Split('\n')[0]}");
        }
    }
}
