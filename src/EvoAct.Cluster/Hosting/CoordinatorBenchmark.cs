using System.Diagnostics;
using Akka.Actor;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Config;
using EvoAct.Cluster.Messages;

namespace EvoAct.Cluster.Hosting;

/// <summary>
/// Coordinator throughput with instant fake trainers on a real journal: how many evaluations per
/// second the population actor settles, and how long a free trainer waits for its next candidate
/// (RequestWork sent to Work received), for scripts/bench-coordinator.sh.
/// </summary>
public static class CoordinatorBenchmark
{
    public sealed record Result(int Evaluations, double Seconds, double EvaluationsPerSecond, double P50Ms, double P99Ms, int Trainers);

    public static async Task<Result> RunAsync(RunSettings s, int trainers)
    {
        var system = ActorSystem.Create("evoact-bench", AkkaSetup.Build(s.Persistence, s.DataDirectory));
        try
        {
            var ready = new TaskCompletionSource<RunReady>(TaskCreationOptions.RunContinuationsAsynchronously);
            var done = new TaskCompletionSource<RunProgress>(TaskCreationOptions.RunContinuationsAsynchronously);
            var observer = system.ActorOf(RunObserver.For(ready, done, _ => { }));
            var options = new PopulationOptions(s.Name, s.Plan, s.SnapshotEvery, s.EvaluationTimeout, TimeSpan.FromMilliseconds(100));
            var population = system.ActorOf(PopulationActor.Props(options, observer), "population");
            await ready.Task.WaitAsync(TimeSpan.FromMinutes(1));
            var latencies = new List<double>[trainers];
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < trainers; i++)
            {
                latencies[i] = new List<double>();
                var mine = latencies[i];
                system.ActorOf(Props.Create(() => new InstantTrainer(population, $"bench-{i}", mine)));
            }
            population.Tell(SubscribeProgress.Instance, observer);
            var final = await done.Task.WaitAsync(TimeSpan.FromMinutes(10));
            double seconds = clock.Elapsed.TotalSeconds;
            var all = latencies.SelectMany(l => l).Order().ToArray();
            return new Result(final.Trained, seconds, final.Trained / seconds, Percentile(all, 0.50), Percentile(all, 0.99), trainers);
        }
        finally
        {
            await system.Terminate();
        }
    }

    static double Percentile(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(q * sorted.Length))];

    /// <summary>Answers every Work at once with a fitness from the fake landscape, and times the wait for work.</summary>
    sealed class InstantTrainer : ReceiveActor
    {
        public InstantTrainer(IActorRef population, string id, List<double> latencies)
        {
            var asked = Stopwatch.StartNew();
            Receive<Work>(w =>
            {
                latencies.Add(asked.Elapsed.TotalMilliseconds);
                population.Tell(new WorkResult(w.Id, id, "completed", FakeEvaluator.Fitness(w.Expression), null, 0, null, w.Expression));
                asked.Restart();
                population.Tell(new RequestWork(id));
            });
            Receive<NoWork>(_ => { });
            population.Tell(new RequestWork(id));
        }
    }
}
