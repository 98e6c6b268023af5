using Akka.Actor;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Configuration;
using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Persistence;

namespace EvoAct.Cluster.Hosting;

/// <summary>
/// `evoact run`: one process with the population actor and local trainers, persisted to SQLite in
/// the run's data directory (or PostgreSQL). Returns when the run has spent its budget, when
/// <paramref name="stop"/> fires (Ctrl-C): in-flight candidates stay recorded as proposed and are
/// trained again on resume; or when the journal has been unavailable past the outage limit.
/// </summary>
public static class EmbeddedRun
{
    /// <param name="GaveUp">why the coordinator stopped (journal unavailable past the limit), if it did</param>
    public sealed record Outcome(RunReady Ready, RunProgress? Final, bool Interrupted, string? GaveUp = null);

    public static async Task<Outcome> RunAsync(RunSettings s, Action<RunReady> onReady, Action<RunProgress> onProgress, Action<JournalUnavailable> onOutage,
                                               CancellationToken stop)
    {
        await using var host = JournaledHost.Start(s, "evoact", s.Name, PopulationActor.PersistenceIdOf(s.Name), $"run '{s.Name}'");
        var system = host.System;
        try
        {
            var events = new RunEvents<RunProgress> { OnReady = onReady, OnProgress = onProgress, OnOutage = onOutage, IsFinished = p => p.Finished };
            var observer = system.ActorOf(RunObserver.For(events), "observer");
            var options = new PopulationOptions(s.Name, s.Plan, s.SnapshotEvery, s.EvaluationTimeout, s.ProgressInterval);
            var population = system.ActorOf(JournalSupervisor.Props(PopulationActor.Props(options, observer), observer,
                new SupervisorOptions(s.Name, $"run '{s.Name}'", s.JournalOutageLimit, () => host.Locks)), "population");

            // No time limit: the wait ends with the first recovery, with the outage limit, or with Ctrl-C.
            var first = await Task.WhenAny(events.Ready.Task, events.GaveUp.Task).WaitAsync(stop);
            if (first == events.GaveUp.Task) return new Outcome(new RunReady(s.Name, false, 0, [], null), null, false, events.GaveUp.Task.Result.Message);
            var r = events.Ready.Task.Result;
            onReady(r);
            if (r.Refusal is not null) return new Outcome(r, null, false);

            var evaluator = s.Trainers.Evaluator();
            for (int i = 0; i < s.Trainers.Slots; i++)
                system.ActorOf(TrainerActor.Props(population, $"{Environment.MachineName}/{i}", evaluator, host.TrainersStop, local: s.Trainers.Local(i)), $"trainer-{i}");
            population.Tell(SubscribeProgress.Instance, observer);

            try
            {
                var end = await Task.WhenAny(events.Finished.Task, events.GaveUp.Task).WaitAsync(stop);
                if (end == events.GaveUp.Task) return new Outcome(r, events.Latest, false, events.GaveUp.Task.Result.Message);
                return new Outcome(r, events.Finished.Task.Result, false);
            }
            catch (OperationCanceledException)
            {
                return new Outcome(r, await LatestProgress(population, events), true);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped before the run was ready (e.g. during an outage at start): nothing to report.
            return new Outcome(new RunReady(s.Name, false, 0, [], null), null, true);
        }
    }

    /// <summary>The coordinator's progress now, or the last one heard when it does not answer (its journal is out).</summary>
    internal static async Task<RunProgress?> LatestProgress(IActorRef population, RunEvents<RunProgress> events)
    {
        try
        {
            return await population.Ask<RunProgress>(GetProgress.Instance, TimeSpan.FromSeconds(3));
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return events.Latest;
        }
    }
}
