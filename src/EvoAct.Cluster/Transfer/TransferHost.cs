using Akka.Actor;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Config;
using EvoAct.Cluster.Hosting;
using EvoAct.Cluster.Messages;

namespace EvoAct.Cluster.Transfer;

/// <summary>`evoact transfer` in one process: the transfer actor and the local trainer slots, journaled beside the run.</summary>
public static class TransferHost
{
    public sealed record Outcome(RunReady Ready, TransferProgress? Final, bool Interrupted);

    public static async Task<Outcome> RunAsync(RunSettings s, string name, TransferPlan plan, Action<RunReady> onReady, Action<TransferProgress> onProgress, CancellationToken stop)
    {
        var system = ActorSystem.Create("evoact-transfer", AkkaSetup.Build(s.Persistence, s.DataDirectory, s.UserAkka));
        using var trainersStop = new CancellationTokenSource();
        try
        {
            var ready = new TaskCompletionSource<RunReady>(TaskCreationOptions.RunContinuationsAsynchronously);
            var finished = new TaskCompletionSource<TransferProgress>(TaskCreationOptions.RunContinuationsAsynchronously);
            var observer = system.ActorOf(Props.Create(() => new RunObserver<TransferProgress>(ready, finished, onProgress, p => p.Finished)));
            var transfer = system.ActorOf(TransferActor.Props(name, plan, observer, s.EvaluationTimeout), "transfer");
            var r = await ready.Task.WaitAsync(TimeSpan.FromMinutes(2), stop);
            onReady(r);
            if (r.Refusal is not null) return new Outcome(r, null, false);
            var evaluator = s.Trainers.Evaluator();
            for (int i = 0; i < Math.Max(1, s.Trainers.Slots); i++)
                system.ActorOf(TrainerActor.Props(transfer, $"{Environment.MachineName}/{i}", evaluator, trainersStop.Token), $"trainer-{i}");
            transfer.Tell(SubscribeProgress.Instance, observer);
            try
            {
                return new Outcome(r, await finished.Task.WaitAsync(stop), false);
            }
            catch (OperationCanceledException)
            {
                return new Outcome(r, null, true);
            }
        }
        finally
        {
            trainersStop.Cancel();
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
