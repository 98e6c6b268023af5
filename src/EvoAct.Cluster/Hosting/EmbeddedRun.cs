using Akka.Actor;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Config;
using EvoAct.Cluster.Messages;

namespace EvoAct.Cluster.Hosting;

/// <summary>
/// `evoact run`: one process with the population actor and local trainers, persisted to SQLite in
/// the run's data directory (or PostgreSQL). Returns when the run has spent its budget, or when
/// <paramref name="stop"/> fires (Ctrl-C): in-flight candidates stay recorded as proposed and are
/// trained again on resume.
/// </summary>
public static class EmbeddedRun
{
    public sealed record Outcome(RunReady Ready, RunProgress? Final, bool Interrupted);

    public static async Task<Outcome> RunAsync(RunSettings s, Action<RunReady> onReady, Action<RunProgress> onProgress, CancellationToken stop)
    {
        using var runLock = RunLock.Acquire(s);
        var system = ActorSystem.Create("evoact", AkkaSetup.Build(s.Persistence, s.DataDirectory, s.UserAkka));
        using var trainersStop = new CancellationTokenSource();
        try
        {
            var ready = new TaskCompletionSource<RunReady>(TaskCreationOptions.RunContinuationsAsynchronously);
            var finished = new TaskCompletionSource<RunProgress>(TaskCreationOptions.RunContinuationsAsynchronously);
            var observer = system.ActorOf(RunObserver.For(ready, finished, onProgress), "observer");
            var options = new PopulationOptions(s.Name, s.Plan, s.SnapshotEvery, s.EvaluationTimeout, s.ProgressInterval);
            var population = system.ActorOf(PopulationActor.Props(options, observer), "population");

            var r = await ready.Task.WaitAsync(TimeSpan.FromMinutes(2), stop);
            onReady(r);
            if (r.Refusal is not null) return new Outcome(r, null, false);

            var evaluator = s.Trainers.Evaluator();
            for (int i = 0; i < s.Trainers.Slots; i++)
                system.ActorOf(TrainerActor.Props(population, $"{Environment.MachineName}/{i}", evaluator, trainersStop.Token), $"trainer-{i}");
            population.Tell(SubscribeProgress.Instance, observer);

            try
            {
                var final = await finished.Task.WaitAsync(stop);
                return new Outcome(r, final, false);
            }
            catch (OperationCanceledException)
            {
                var last = await population.Ask<RunProgress>(GetProgress.Instance, TimeSpan.FromSeconds(5));
                return new Outcome(r, last, true);
            }
        }
        finally
        {
            trainersStop.Cancel();
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

}

/// <summary>One process per run at a time: a second `evoact run` on the same run would interleave its journal.</summary>
public sealed class RunLock : IDisposable
{
    readonly FileStream? file;

    RunLock(FileStream? file) => this.file = file;

    public static RunLock Acquire(RunSettings s)
    {
        Directory.CreateDirectory(s.DataDirectory);
        var path = Path.Combine(s.DataDirectory, $"{s.Name}.lock");
        try
        {
            return new RunLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose));
        }
        catch (IOException)
        {
            throw new ConfigException("--run", $"run '{s.Name}' is already running in {s.DataDirectory} (lock file {path})");
        }
    }

    public void Dispose() => file?.Dispose();
}
