using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Config;
using EvoAct.Cluster.Messages;

namespace EvoAct.Cluster.Hosting;

/// <summary>
/// The cluster roles as processes. A seed (role coordinator) hosts the population actor as a cluster
/// singleton; workers (role trainer) run trainer actors that pull from it through a singleton proxy.
/// A worker that loses the coordinator (downed by the split brain resolver, or the seed restarted)
/// starts a fresh actor system and joins again; its unfinished candidate is re-dispatched.
/// </summary>
public static class ClusterNode
{
    public const string Coordinator = "coordinator", Trainer = "trainer";
    const string PopulationName = "population";

    public static Akka.Configuration.Config AkkaConfig(ClusterNodeSettings c, int port, string[] roles, PersistenceSettings? persistence, string dataDirectory,
                                                       Akka.Configuration.Config? user = null)
    {
        var seeds = string.Join(", ", c.SeedNodes.Select(s => $"\"{s}\""));
        var text = $$"""
            akka {
              actor.provider = cluster
              remote.dot-netty.tcp {
                hostname = "{{c.Hostname}}"
                port = {{port}}
              }
              cluster {
                seed-nodes = [{{seeds}}]
                roles = [{{string.Join(", ", roles)}}]
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = keep-majority
                  # Majority among coordinator nodes only: they hold the run, trainers are stateless and
                  # rejoin. Counting every node, a seed with one worker is a tie when the worker dies,
                  # and the seed could down itself on the address tie-break.
                  keep-majority.role = {{Coordinator}}
                  stable-after = {{(int)c.DownAfter.TotalMilliseconds}}ms
                }
                failure-detector.acceptable-heartbeat-pause = {{(int)Math.Max(3000, c.DownAfter.TotalMilliseconds / 2)}}ms
                singleton.hand-over-retry-interval = 500ms
                singleton-proxy.log-singleton-identification-failure = off
                run-coordinated-shutdown-when-down = on
              }
              coordinated-shutdown.exit-clr = off
            }
            """;
        return (user ?? Akka.Configuration.Config.Empty).WithFallback(ConfigurationFactory.ParseString(text))
            .WithFallback(ClusterSingleton.DefaultConfig()).WithFallback(AkkaSetup.Build(persistence, dataDirectory));
    }

    /// <summary>`evoact seed`: coordinator (and optionally local trainers) until the run is finished or stopped.</summary>
    public static async Task<EmbeddedRun.Outcome> RunSeedAsync(RunSettings s, ClusterNodeSettings c, int port, int localTrainers,
                                                               Action<string> say, Action<RunReady> onReady, Action<RunProgress> onProgress, CancellationToken stop)
    {
        using var runLock = RunLock.Acquire(s);
        var roles = localTrainers > 0 ? new[] { Coordinator, Trainer } : new[] { Coordinator };
        var system = ActorSystem.Create("evoact", AkkaConfig(c, port, roles, s.Persistence, s.DataDirectory, s.UserAkka));
        using var trainersStop = new CancellationTokenSource();
        try
        {
            var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
            await up.Task.WaitAsync(TimeSpan.FromMinutes(2), stop);
            say($"seed up at {Akka.Cluster.Cluster.Get(system).SelfAddress}");

            var ready = new TaskCompletionSource<RunReady>(TaskCreationOptions.RunContinuationsAsynchronously);
            var finished = new TaskCompletionSource<RunProgress>(TaskCreationOptions.RunContinuationsAsynchronously);
            var observer = system.ActorOf(RunObserver.For(ready, finished, onProgress), "observer");
            var options = new PopulationOptions(s.Name, s.Plan, s.SnapshotEvery, s.EvaluationTimeout, s.ProgressInterval);
            system.ActorOf(ClusterSingletonManager.Props(PopulationActor.Props(options, observer), PoisonPill.Instance,
                ClusterSingletonManagerSettings.Create(system).WithRole(Coordinator)), PopulationName);
            var proxy = Proxy(system);

            var r = await ready.Task.WaitAsync(TimeSpan.FromMinutes(2), stop);
            onReady(r);
            if (r.Refusal is not null) return new EmbeddedRun.Outcome(r, null, false);
            StartTrainers(system, proxy, localTrainers, s.Trainers.Evaluator(), trainersStop.Token);
            proxy.Tell(SubscribeProgress.Instance, observer);
            try
            {
                return new EmbeddedRun.Outcome(r, await finished.Task.WaitAsync(stop), false);
            }
            catch (OperationCanceledException)
            {
                var last = await proxy.Ask<RunProgress>(GetProgress.Instance, TimeSpan.FromSeconds(5));
                return new EmbeddedRun.Outcome(r, last, true);
            }
        }
        finally
        {
            trainersStop.Cancel();
            await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>`evoact worker`: trainers until the run is finished or the process is stopped; rejoins after losing the coordinator.</summary>
    public static async Task RunWorkerAsync(ClusterNodeSettings c, int port, TrainerSlots slots, PersistenceSettings persistence, Action<string> say, CancellationToken stop,
                                            Akka.Configuration.Config? user = null)
    {
        // Workers print what they train, so a log shows where each candidate went.
        IEvaluator evaluator = new Announcing(slots.Evaluator(), say);
        await RunWorkerAsync(c, port, slots, evaluator, persistence, say, stop, user);
    }

    sealed class Announcing(IEvaluator inner, Action<string> say) : IEvaluator
    {
        public Messages.WorkResult Evaluate(Messages.Work work, string workerId, CancellationToken cancel)
        {
            say($"{workerId} training #{work.Id} {work.Expression}");
            var r = inner.Evaluate(work, workerId, cancel);
            say($"{workerId} done #{work.Id} {r.Status} {r.Fitness?.ToString("F4", System.Globalization.CultureInfo.InvariantCulture) ?? r.Reason}");
            return r;
        }
    }

    static async Task RunWorkerAsync(ClusterNodeSettings c, int port, TrainerSlots slots, IEvaluator evaluator, PersistenceSettings persistence, Action<string> say, CancellationToken stop,
                                     Akka.Configuration.Config? user)
    {
        while (!stop.IsCancellationRequested)
        {
            var system = ActorSystem.Create("evoact", AkkaConfig(c, port, [Trainer], null, "", user));
            using var trainersStop = new CancellationTokenSource();
            var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                cluster.RegisterOnMemberUp(() => up.TrySetResult());
                await up.Task.WaitAsync(stop);
                say($"worker up at {cluster.SelfAddress} with {slots.Slots} trainer(s)");
                system.ActorOf(Props.Create(() => new CoordinatorWatch(lost)), "coordinator-watch");
                var monitor = system.ActorOf(Props.Create(() => new FinishMonitor(slots.Slots, done)), "finish-monitor");
                StartTrainers(system, Proxy(system), slots.Slots, evaluator, trainersStop.Token, monitor);
                var which = await Task.WhenAny(lost.Task, done.Task, system.WhenTerminated, Task.Delay(Timeout.Infinite, stop));
                if (which == done.Task) { say("run finished"); return; }
                if (stop.IsCancellationRequested) return;
                say("lost the coordinator; joining again");
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            finally
            {
                trainersStop.Cancel();
                await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(TimeSpan.FromSeconds(30));
            }
            await Task.Delay(TimeSpan.FromSeconds(1), stop).ContinueWith(_ => { });
        }
    }

    static IActorRef Proxy(ActorSystem system) =>
        system.ActorOf(ClusterSingletonProxy.Props($"/user/{PopulationName}",
            ClusterSingletonProxySettings.Create(system).WithRole(Coordinator).WithBufferSize(1000)), "population-proxy");

    static void StartTrainers(ActorSystem system, IActorRef population, int count, IEvaluator evaluator, CancellationToken cancel, IActorRef? monitor = null)
    {
        var node = Akka.Cluster.Cluster.Get(system).SelfAddress;
        for (int i = 0; i < count; i++)
            system.ActorOf(TrainerActor.Props(population, $"{node.Host}:{node.Port}/{i}", evaluator, cancel, monitor), $"trainer-{i}");
    }

    /// <summary>Completes when every coordinator has left the cluster (downed, or the seed restarted).</summary>
    sealed class CoordinatorWatch : ReceiveActor
    {
        public CoordinatorWatch(TaskCompletionSource lost)
        {
            var cluster = Akka.Cluster.Cluster.Get(Context.System);
            Receive<ClusterEvent.MemberRemoved>(m =>
            {
                if (m.Member.HasRole(Coordinator) && !cluster.State.Members.Any(x => x.HasRole(Coordinator) && x.Status == MemberStatus.Up))
                    lost.TrySetResult();
            });
            Receive<ClusterEvent.IMemberEvent>(_ => { });
            Receive<ClusterEvent.CurrentClusterState>(_ => { });
            cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent));
        }
    }

    /// <summary>Completes when every local trainer has heard that the run is finished.</summary>
    sealed class FinishMonitor : ReceiveActor
    {
        public FinishMonitor(int trainers, TaskCompletionSource done)
        {
            var finished = new HashSet<IActorRef>();
            Receive<TrainerActor.RunIsFinished>(_ =>
            {
                finished.Add(Sender);
                if (finished.Count >= trainers) done.TrySetResult();
            });
        }
    }
}
