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
            return Seed(training.Seed, r);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            // An exception in training is a failed evaluation with its reason, never a dead worker.
            return new SeedResult(training.Seed, WireNames.Status[EvaluationStatus.Failed], null, null, null, clock.Elapsed.TotalSeconds,
                                  Reason: Failure.Reason(e));
        }
    }

    /// <summary>A training that ended, as its seed's result: completed with its figures, or diverged with its reason.</summary>
    static SeedResult Seed(ulong seed, EvaluationResult r) => r.Outcome == Outcome.Ok
        ? new SeedResult(seed, WireNames.Status[EvaluationStatus.Completed], r.ValidationAccuracy, r.ValidationLoss, r.TestAccuracy, r.Seconds, r.Curve)
        : new SeedResult(seed, WireNames.Status[EvaluationStatus.Diverged], null, null, null, r.Seconds, r.Curve, r.Reason);

    /// <summary>
    /// With rungs: one <see cref="ChildTraining"/> per seed, kept between rungs and trained on from
    /// where it stopped, so a promoted candidate's numbers are those of an uninterrupted training.
    /// </summary>
    public ITrainingSession Start(Work work, string workerId)
    {
        var trainings = new List<ChildTraining>();
        var settings = Enumerable.Range(0, Math.Max(1, work.Seeds)).Select(i => work.Training with { Seed = work.Training.Seed + (ulong)i }).ToArray();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        WorkResult Failed(Exception e) => new(work.Id, workerId, WireNames.Status[EvaluationStatus.Failed], null,
                                              Failure.Reason(e), clock.Elapsed.TotalSeconds);

        SeedResult Current(ChildTraining t, TrainerSettings s) => t.Final is { } r
            ? Seed(s.Seed, r)
            : new SeedResult(s.Seed, WireNames.Status[EvaluationStatus.Stopped], t.Curve.Count > 0 ? t.Curve[^1].Accuracy : null,
                             t.Curve.Count > 0 ? t.Curve[^1].Loss : null, null, clock.Elapsed.TotalSeconds / settings.Length, t.Curve.ToArray());

        WorkResult Ended()
        {
            var seeds = trainings.Select((t, i) => Current(t, settings[i])).ToArray();
            var (status, fitness, reason, test) = SeedResult.Combine(seeds);
            return new WorkResult(work.Id, workerId, status, fitness, reason, trainings.Sum(t => t.Final?.Seconds ?? 0), test, Seeds: seeds);
        }

        void Ensure()
        {
            if (trainings.Count > 0) return;
            foreach (var s in settings)
                trainings.Add(new ChildTraining(Activation.Parse(work.Expression), s, work.Test, logName: $"{work.Run}/{work.Id:D6}-{s.Seed}"));
        }

        return new RungSession(work, workerId, (f, cancel) =>
        {
            try
            {
                Ensure();
                var points = new List<CurvePoint>();
                foreach (var t in trainings)
                {
                    var point = t.RunTo((int)Math.Round(f * t.TotalSteps), cancel);
                    if (t.Final is not null) return new RungOutcome(null, 0, null, Ended()); // diverged before the rung
                    points.Add(point);
                }
                var seeds = trainings.Select((t, i) => new SeedResult(settings[i].Seed, WireNames.Status[EvaluationStatus.Stopped], points[i].Accuracy, points[i].Loss,
                                                                       null, clock.Elapsed.TotalSeconds / settings.Length, t.Curve.ToArray())).ToArray();
                return new RungOutcome(points.Average(p => p.Accuracy), clock.Elapsed.TotalSeconds, seeds);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return new RungOutcome(null, 0, null, Failed(e));
            }
        }, cancel =>
        {
            try
            {
                Ensure();
                foreach (var t in trainings)
                    if (t.Final is null) t.RunTo(t.TotalSteps, cancel);
                return Ended();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return Failed(e);
            }
        }, () =>
        {
            foreach (var t in trainings) t.Dispose();
        });
    }
}
