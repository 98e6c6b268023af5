using Akka.Actor;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Configuration;
using EvoAct.Cluster.Hosting;
using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Persistence;

namespace EvoAct.Cluster.Transfer;

/// <summary>`evoact transfer` in one process: the transfer actor and the local trainer slots, journaled beside the run.</summary>
public static class TransferHost
{
    public sealed record Outcome(RunReady Ready, TransferProgress? Final, bool Interrupted, string? GaveUp = null);

    public static async Task<Outcome> RunAsync(RunSettings s, string name, TransferPlan plan, Action<RunReady> onReady, Action<TransferProgress> onProgress,
                                               Action<JournalUnavailable> onOutage, CancellationToken stop)
    {
        await using var host = JournaledHost.Start(s, "evoact-transfer", name, name, $"transfer '{name}'");
        var system = host.System;
        try
        {
            var events = new RunEvents<TransferProgress> { OnReady = onReady, OnProgress = onProgress, OnOutage = onOutage, IsFinished = p => p.Finished };
            var observer = system.ActorOf(RunObserver.For(events));
            var transfer = system.ActorOf(JournalSupervisor.Props(TransferActor.Props(name, plan, observer, s.EvaluationTimeout), observer,
                new SupervisorOptions(name, $"transfer '{name}'", s.JournalOutageLimit, () => host.Locks)), "transfer");
            var first = await Task.WhenAny(events.Ready.Task, events.GaveUp.Task).WaitAsync(stop);
            if (first == events.GaveUp.Task) return new Outcome(new RunReady(name, false, 0, [], null), null, false, events.GaveUp.Task.Result.Message);
            var r = events.Ready.Task.Result;
            onReady(r);
            if (r.Refusal is not null) return new Outcome(r, null, false);
            var evaluator = s.Trainers.Evaluator();
            for (int i = 0; i < Math.Max(1, s.Trainers.Slots); i++)
                system.ActorOf(TrainerActor.Props(transfer, $"{Environment.MachineName}/{i}", evaluator, host.TrainersStop, local: s.Trainers.Local(i)), $"trainer-{i}");
            transfer.Tell(SubscribeProgress.Instance, observer);
            try
            {
                var end = await Task.WhenAny(events.Finished.Task, events.GaveUp.Task).WaitAsync(stop);
                if (end == events.GaveUp.Task) return new Outcome(r, null, false, events.GaveUp.Task.Result.Message);
                return new Outcome(r, events.Finished.Task.Result, false);
            }
            catch (OperationCanceledException)
            {
                return new Outcome(r, null, true);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return new Outcome(new RunReady(name, false, 0, [], null), null, true);
        }
    }
}
