using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Persistence;
using EvoAct.Search.Evolution;
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
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var r = ChildTrainer.Evaluate(Activation.Parse(work.Expression), work.Training, test: work.Test, cancel: cancel,
                                          logName: $"{work.Run}/{work.Id:D6}");
            return r.Outcome == Outcome.Ok
                ? new WorkResult(work.Id, workerId, WireNames.Status[EvaluationStatus.Completed], r.ValidationAccuracy, null, r.Seconds, r.TestAccuracy)
                : new WorkResult(work.Id, workerId, WireNames.Status[EvaluationStatus.Diverged], null, r.Reason, r.Seconds);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            // An exception in training is a failed evaluation with its reason, never a dead worker.
            return new WorkResult(work.Id, workerId, WireNames.Status[EvaluationStatus.Failed], null, $"{e.GetType().Name}: {e.Message.Split('\n')[0]}", clock.Elapsed.TotalSeconds);
        }
    }
}
