using Akka.Actor;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Configuration;
using EvoAct.Cluster.Hosting;
using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Persistence;

namespace EvoAct.Cluster.Transfer;

/// <summary>
/// Serve cluster workers too: the process joins (or forms) the cluster at <see cref="ClusterNodeSettings.SeedNodes"/>
/// on <paramref name="Port"/> with role coordinator, and hosts the transfer where `evoact worker`
/// looks for its coordinator, so workers train its jobs beside the local trainers (there may be none).
/// </summary>
public sealed record ServeWorkers(ClusterNodeSettings Node, int Port, Action<string> Say);

/// <summary>`evoact transfer` (and `fidelity`): the transfer actor and the local trainer slots, journaled beside the run; with <see cref="ServeWorkers"/>, a cluster's workers as well.</summary>
public static class TransferHost
{
    /// <param name="Latest">the last progress heard (with the jobs done so far), also when stopped</param>
    public sealed record Outcome(RunReady Ready, TransferProgress? Final, bool Interrupted, string? GaveUp = null, TransferProgress? Latest = null);

    public static async Task<Outcome> RunAsync(RunSettings s, string name, TransferPlan plan, Action<RunReady> onReady, Action<TransferProgress> onProgress,
                                               Action<JournalUnavailable> onOutage, CancellationToken stop, ServeWorkers? serve = null)
    {
        var blank = new RunReady(name, false, 0, [], null);
        // Local trainers: as configured; on its own (no workers to do the work) at least one.
        int local = serve is null ? Math.Max(1, s.Trainers.Slots) : s.Trainers.Slots;
        Akka.Configuration.Config? cluster = null;
        if (serve is not null)
        {
            // With a shared journal the split brain resolver's lease is in its database, as for a seed.
            var lease = s.Persistence.Provider == JournalProvider.Postgres ? s.Persistence.ConnectionString : null;
            string[] roles = local > 0 ? [ClusterNode.Coordinator, ClusterNode.Trainer] : [ClusterNode.Coordinator];
            cluster = ClusterNode.AkkaConfig(serve.Node, serve.Port, roles, s.Persistence, s.DataDirectory, s.UserAkka, lease);
        }
        // A cluster's actor systems share one name (workers join "evoact").
        await using var host = JournaledHost.Start(s, serve is null ? "evoact-transfer" : "evoact", name, name, $"transfer '{name}'", cluster);
        var system = host.System;
        try
        {
            var events = new RunEvents<TransferProgress> { OnReady = onReady, OnProgress = onProgress, OnOutage = onOutage, IsFinished = p => p.Finished };
            var removed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (serve is not null)
            {
                if (await ClusterNode.JoinAsync(system, serve.Node, stop) is { } refused) return new Outcome(blank, null, false, refused);
                var self = Akka.Cluster.Cluster.Get(system);
                self.RegisterOnMemberRemoved(() => removed.TrySetResult());
                serve.Say($"serving workers at {self.SelfAddress}: evoact worker --seed-nodes {self.SelfAddress}");
            }
            var observer = system.ActorOf(RunObserver.For(events));
            var supervised = JournalSupervisor.Props(TransferActor.Props(name, plan, observer, s.EvaluationTimeout), observer,
                new SupervisorOptions(name, $"transfer '{name}'", s.JournalOutageLimit, () => host.Locks));
            var transfer = serve is null ? system.ActorOf(supervised, "transfer") : ClusterNode.HostCoordinator(system, supervised);
            var first = await Task.WhenAny(events.Ready.Task, events.GaveUp.Task).WaitAsync(stop);
            if (first == events.GaveUp.Task) return new Outcome(blank, null, false, events.GaveUp.Task.Result.Message);
            var r = events.Ready.Task.Result;
            onReady(r);
            if (r.Refusal is not null) return new Outcome(r, null, false);
            var evaluator = s.Trainers.Evaluator();
            if (serve is null)
                for (int i = 0; i < local; i++)
                    system.ActorOf(TrainerActor.Props(transfer, $"{Environment.MachineName}/{i}", evaluator, host.TrainersStop, local: s.Trainers.Local(i)), $"trainer-{i}");
            else
                ClusterNode.StartTrainers(system, transfer, s.Trainers, local, evaluator, host.TrainersStop);
            transfer.Tell(SubscribeProgress.Instance, observer);
            try
            {
                var end = await Task.WhenAny(events.Finished.Task, events.GaveUp.Task, removed.Task).WaitAsync(stop);
                if (end == events.GaveUp.Task) return new Outcome(r, null, false, events.GaveUp.Task.Result.Message);
                if (end == removed.Task)
                    return new Outcome(r, null, false, $"this node was removed from the cluster: the split brain resolver downed it; everything settled is in the journal, run the same command to resume");
                return new Outcome(r, events.Finished.Task.Result, false);
            }
            catch (OperationCanceledException)
            {
                return new Outcome(r, null, true, Latest: events.Latest);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return new Outcome(blank, null, true);
        }
    }
}
