using System.Diagnostics;
using Akka.Actor;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Configuration;
using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Persistence;
using EvoAct.Search.Strategies;

namespace EvoAct.Cluster.Hosting;

/// <summary>
/// Coordinator throughput with instant fake trainers on a real journal: how many evaluations per
/// second the population actor settles, and how long a free trainer waits for its next candidate
/// (RequestWork sent to Work received), for scripts/bench-coordinator.sh.
/// </summary>
public static class CoordinatorBenchmark
{
    /// <summary>
    /// One phase of the run: evaluations handed out, their rate, the dispatch latency percentiles, and
    /// what the whole process spent per evaluation (CPU on every thread, bytes allocated) and on GC.
    /// </summary>
    public sealed record Phase(int Evaluations, double Seconds, double EvaluationsPerSecond, double P50Ms, double P99Ms,
                               double CpuMsPerEvaluation, double AllocatedKbPerEvaluation, double GcPauseMs, int Gen2Collections);

    /// <summary>
    /// The whole run, and its steady state: everything after the first <see cref="WarmupShare"/> of
    /// the evaluations, which include the random initial population, the JIT compiling the hot paths
    /// and SQLite creating its tables.
    /// </summary>
    public sealed record Result(int Trainers, int Evaluations, Phase Whole, Phase Steady);

    public const double WarmupShare = 0.2;

    /// <summary>The process's counters at one moment.</summary>
    sealed record Counters(double At, TimeSpan Cpu, long Allocated, TimeSpan GcPause, int Gen2)
    {
        public static Counters Now(Stopwatch clock) => new(clock.Elapsed.TotalSeconds, Process.GetCurrentProcess().TotalProcessorTime,
            GC.GetTotalAllocatedBytes(), GC.GetTotalPauseDuration(), GC.CollectionCount(2));
    }

    /// <summary>Takes the counters when the warm-up's last evaluation is handed out.</summary>
    sealed class WarmupMark(int threshold)
    {
        int count;
        public Counters? Taken { get; private set; }
        public void Count(Stopwatch clock)
        {
            if (Interlocked.Increment(ref count) == threshold) Taken = Counters.Now(clock);
        }
    }

    public static async Task<Result> RunAsync(RunSettings s, int trainers)
    {
        var system = ActorSystem.Create("evoact-bench", AkkaSetup.Build(s.Persistence, s.DataDirectory));
        try
        {
            var events = new RunEvents<RunProgress> { OnReady = _ => { }, OnProgress = _ => { }, OnOutage = _ => { }, IsFinished = p => p.Finished };
            var (ready, done) = (events.Ready, events.Finished);
            var observer = system.ActorOf(RunObserver.For(events));
            var options = new PopulationOptions(s.Name, s.Plan, s.SnapshotEvery, s.EvaluationTimeout, TimeSpan.FromMilliseconds(100));
            var population = system.ActorOf(PopulationActor.Props(options, observer), "population");
            var readyNow = await ready.Task.WaitAsync(TimeSpan.FromMinutes(1));
            int budget = s.Plan.Evolution.MaxEvaluations - readyNow.Evaluations;
            var mark = new WarmupMark(Math.Max(1, (int)(WarmupShare * budget)));
            var samples = new List<Sample>[trainers];
            var clock = Stopwatch.StartNew();
            var start = Counters.Now(clock);
            for (int i = 0; i < trainers; i++)
            {
                samples[i] = new List<Sample>();
                var mine = samples[i];
                // on the trainers' pinned dispatcher, as real trainers run
                system.ActorOf(Props.Create(() => new InstantTrainer(population, $"bench-{i}", clock, mine, mark)).WithDispatcher(TrainerActor.Dispatcher));
            }
            population.Tell(SubscribeProgress.Instance, observer);
            await done.Task.WaitAsync(TimeSpan.FromMinutes(10));
            var end = Counters.Now(clock);
            var all = samples.SelectMany(l => l).OrderBy(x => x.At).ToArray();
            var warm = mark.Taken ?? start;
            var steady = all.Where(x => x.At > warm.At).ToArray();
            return new Result(trainers, all.Length, Summarise(all, start, end), Summarise(steady, warm, end));
        }
        finally
        {
            await system.Terminate();
        }
    }

    static Phase Summarise(Sample[] samples, Counters from, Counters to)
    {
        var latencies = samples.Select(x => x.LatencyMs).Order().ToArray();
        double seconds = to.At - from.At;
        int n = Math.Max(1, samples.Length);
        return new Phase(samples.Length, seconds, samples.Length / seconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99),
            (to.Cpu - from.Cpu).TotalMilliseconds / n, (to.Allocated - from.Allocated) / 1024.0 / n,
            (to.GcPause - from.GcPause).TotalMilliseconds, to.Gen2 - from.Gen2);
    }

    static double Percentile(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(q * sorted.Length))];

    /// <summary>A candidate received: when (seconds since the start), and how long the trainer had waited for it.</summary>
    readonly record struct Sample(double At, double LatencyMs);

    /// <summary>Answers every Work at once with a fitness from the fake landscape, and times the wait for work.</summary>
    sealed class InstantTrainer : ReceiveActor
    {
        public InstantTrainer(IActorRef population, string id, Stopwatch clock, List<Sample> samples, WarmupMark mark)
        {
            var asked = Stopwatch.StartNew();
            Receive<Work>(w =>
            {
                samples.Add(new Sample(clock.Elapsed.TotalSeconds, asked.Elapsed.TotalMilliseconds));
                mark.Count(clock);
                population.Tell(new WorkResult(w.Id, id, WireNames.Status[EvaluationStatus.Completed], FakeEvaluator.Fitness(w.Expression), null, 0, null, w.Expression));
                asked.Restart();
                population.Tell(new RequestWork(id));
            });
            Receive<NoWork>(_ => { });
            Receive<ResultAccepted>(_ => { });
            population.Tell(new RequestWork(id));
        }
    }
}
