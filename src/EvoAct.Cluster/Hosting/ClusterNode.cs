using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Configuration;
using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Persistence;

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

    /// <param name="lease">the PostgreSQL connection string of the split brain resolver's lease, or null for keep-majority</param>
    public static Akka.Configuration.Config AkkaConfig(ClusterNodeSettings c, int port, string[] roles, PersistenceSettings? persistence, string dataDirectory,
                                                       Akka.Configuration.Config? user = null, string? lease = null)
    {
        var seeds = string.Join(", ", c.SeedNodes.Select(s => $"\"{s}\""));
        var (strategy, leaseSection) = Downing(c, lease);
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
                  {{strategy}}
                  stable-after = {{(int)c.DownAfter.TotalMilliseconds}}ms
                }
                failure-detector.acceptable-heartbeat-pause = {{(int)Math.Max(3000, c.DownAfter.TotalMilliseconds / 2)}}ms
                singleton.hand-over-retry-interval = 500ms
                singleton-proxy.log-singleton-identification-failure = off
                run-coordinated-shutdown-when-down = on
              }
              coordinated-shutdown.exit-clr = off
            }
            {{leaseSection}}
            """;
        return (user ?? Akka.Configuration.Config.Empty).WithFallback(ConfigurationFactory.ParseString(text))
            .WithFallback(ClusterSingleton.DefaultConfig()).WithFallback(AkkaSetup.Build(persistence, dataDirectory));
    }

    /// <summary>
    /// The split brain resolver's strategy, over coordinator nodes only: they hold the run, trainers
    /// are stateless and rejoin (counting every node, a seed with one worker is a tie when the worker
    /// dies). With a shared PostgreSQL journal: lease-majority, the lease an advisory lock in that
    /// database, so two coordinators survive the loss of either one (keep-majority breaks a 1-1 tie
    /// toward the lowest address, which may be the dead node). Without one (SQLite: one coordinator
    /// per run): keep-majority.
    /// </summary>
    static (string Strategy, string LeaseSection) Downing(ClusterNodeSettings c, string? lease)
    {
        if (lease is null) return ($"active-strategy = keep-majority\n    keep-majority.role = {Coordinator}", "");
        // One lease per cluster, named by its seed nodes, so that two clusters on one database do not share it.
        var name = "evoact-sbr-" + string.Join(",", c.SeedNodes);
        var strategy = $$"""
            active-strategy = lease-majority
            lease-majority {
              lease-implementation = "evoact-sbr-lease"
              lease-name = "{{Escape(name)}}"
              role = {{Coordinator}}
              acquire-lease-delay-for-minority = 2s
            }
            """;
        var section = $$"""
            evoact-sbr-lease {
              lease-class = "EvoAct.Cluster.Hosting.PostgresLease, EvoAct.Cluster"
              connection-string = "{{Escape(lease)}}"
              heartbeat-timeout = 120s
              heartbeat-interval = 12s
              lease-operation-timeout = 15s
            }
            """;
        return (strategy, section);
    }

    static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"");

    /// <summary>
    /// `evoact seed`: coordinator (and optionally local trainers) until the run is finished, the
    /// process is stopped, or this node is downed (it then exits with a line saying so). Every seed
    /// follows the run through the singleton proxy wherever the population lives, so all of them
    /// hear that it finished, and a run recovered already finished is announced as such.
    /// </summary>
    public static async Task<EmbeddedRun.Outcome> RunSeedAsync(RunSettings s, ClusterNodeSettings c, int port, int localTrainers,
                                                               Action<string> say, Action<RunReady> onReady, Action<RunProgress> onProgress,
                                                               Action<JournalUnavailable> onOutage, CancellationToken stop)
    {
        PostgresJournal.Check(s.Persistence);
        bool shared = s.Persistence.Provider == JournalProvider.Postgres;
        // A SQLite journal is one file on one host: the process holds its lock. A shared journal's
        // lock is the singleton's, taken wherever the population starts (JournalSupervisor).
        using var fileLock = shared ? null : FileWriterLock.Acquire(s.DataDirectory, s.Name, $"run '{s.Name}'");
        var roles = localTrainers > 0 ? new[] { Coordinator, Trainer } : new[] { Coordinator };
        var system = ActorSystem.Create("evoact", AkkaConfig(c, port, roles, s.Persistence, s.DataDirectory, s.UserAkka, shared ? s.Persistence.ConnectionString : null));
        var cluster = Akka.Cluster.Cluster.Get(system);
        var removed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberRemoved(() => removed.TrySetResult());
        using var trainersStop = new CancellationTokenSource();
        var blank = new RunReady(s.Name, false, 0, [], null);
        var events = new RunEvents<RunProgress> { OnReady = onReady, OnProgress = onProgress, OnOutage = onOutage, IsFinished = p => p.Finished };
        try
        {
            if (await JoinAsync(system, c, stop) is { } refused) return new EmbeddedRun.Outcome(blank, null, false, refused);
            say($"seed up at {cluster.SelfAddress}");

            var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
            system.ActorOf(Props.Create(() => new MemberLog(seen)), "member-log");
            var identity = NodeIdentity(cluster.SelfAddress);
            var observer = system.ActorOf(RunObserver.For(events), "observer");
            var options = new PopulationOptions(s.Name, s.Plan, s.SnapshotEvery, s.EvaluationTimeout, s.ProgressInterval);
            var supervisor = new SupervisorOptions(s.Name, $"run '{s.Name}'", s.JournalOutageLimit,
                shared ? () => new PostgresWriterLock(s.Persistence.ConnectionString, PopulationActor.PersistenceIdOf(s.Name), identity) : null,
                holder => holder != identity && seen.ContainsKey(holder));
            var proxy = HostCoordinator(system, JournalSupervisor.Props(PopulationActor.Props(options, observer), observer, supervisor));
            StartTrainers(system, proxy, s.Trainers, localTrainers, s.Trainers.Evaluator(), trainersStop.Token);
            system.ActorOf(Props.Create(() => new Follower(proxy, observer)), "follower");

            RunReady ready = blank;
            bool announced = false; // not `ready == blank`: records compare by value, and a new run's RunReady equals it
            while (true)
            {
                Task[] waits = !announced ? [events.Ready.Task, events.Finished.Task, events.GaveUp.Task, removed.Task]
                                              : [events.Finished.Task, events.GaveUp.Task, removed.Task];
                var which = await Task.WhenAny(waits).WaitAsync(stop);
                if (which == events.Ready.Task)
                {
                    announced = true;
                    ready = events.Ready.Task.Result;
                    onReady(ready);
                    if (ready.Refusal is not null) return new EmbeddedRun.Outcome(ready, null, false);
                    continue;
                }
                if (which == events.Finished.Task) return new EmbeddedRun.Outcome(ready, events.Finished.Task.Result, false);
                if (which == events.GaveUp.Task) return new EmbeddedRun.Outcome(ready, events.Latest, false, events.GaveUp.Task.Result.Message);
                if (which == removed.Task)
                    return new EmbeddedRun.Outcome(ready, events.Latest, false,
                        $"this node ({cluster.SelfAddress}) was removed from the cluster: the split brain resolver downed it (it was on the losing side of a partition); exiting");
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return new EmbeddedRun.Outcome(blank, events.Latest, true);
        }
        finally
        {
            trainersStop.Cancel();
            await Shutdown.Bounded(system, leaveCluster: true);
        }
    }

    /// <summary>
    /// Waits until this node is up in a cluster (it forms one if its own address is the first seed
    /// node). Null once it is; the line to exit with if no seed node let it in within
    /// evoact.cluster.join-timeout.
    /// </summary>
    public static async Task<string?> JoinAsync(ActorSystem system, ClusterNodeSettings c, CancellationToken stop)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        try
        {
            await up.Task.WaitAsync(c.JoinTimeout, stop);
            return null;
        }
        catch (TimeoutException)
        {
            return $"this node ({cluster.SelfAddress}) did not join a cluster within {c.JoinTimeout.TotalSeconds:0} s (evoact.cluster.join-timeout): no seed node of {string.Join(", ", c.SeedNodes)} let it in; check evoact.cluster.seed-nodes: this node's own address must be among them, or one of them must be up";
        }
    }

    /// <summary>
    /// Hosts what workers pull candidates from (a run's population, or a transfer) as the cluster
    /// singleton of the coordinator role, where every worker's proxy looks for it; returns a proxy to it.
    /// </summary>
    public static IActorRef HostCoordinator(ActorSystem system, Props coordinator)
    {
        system.ActorOf(ClusterSingletonManager.Props(coordinator, PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system).WithRole(Coordinator)), PopulationName);
        return Proxy(system);
    }

    /// <summary>A node as its lock session names it (PostgreSQL keeps 63 characters of application_name).</summary>
    static string NodeIdentity(Address a) => $"evoact@{a.Host}:{a.Port}";

    /// <summary>Every node ever seen in this cluster: a lock holder among them is a previous singleton on its way out.</summary>
    sealed class MemberLog : ReceiveActor
    {
        public MemberLog(System.Collections.Concurrent.ConcurrentDictionary<string, bool> seen)
        {
            Receive<ClusterEvent.IMemberEvent>(m => seen[NodeIdentity(m.Member.Address)] = true);
            Receive<ClusterEvent.CurrentClusterState>(st => { foreach (var m in st.Members) seen[NodeIdentity(m.Address)] = true; });
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent));
        }
    }

    /// <summary>
    /// Subscribes this seed's observer to the population wherever it runs, again every few seconds:
    /// when the singleton moves, the new one starts with no subscribers. The population answers only a
    /// new subscriber, so the repeats print nothing.
    /// </summary>
    sealed class Follower : ReceiveActor, IWithTimers
    {
        public ITimerScheduler Timers { get; set; } = null!;

        public Follower(IActorRef proxy, IActorRef observer)
        {
            Receive<SubscribeProgress>(_ => proxy.Tell(SubscribeProgress.Instance, observer));
        }

        protected override void PreStart() => Timers.StartPeriodicTimer("follow", SubscribeProgress.Instance, TimeSpan.Zero, TimeSpan.FromSeconds(2));
    }

    /// <summary>
    /// `evoact worker`: trainers until the run is finished or the process is stopped; rejoins after
    /// losing the coordinator. Returns null, or why it gave up: no seed node let it in within
    /// evoact.cluster.worker-wait (the caller exits 1 with that line).
    /// </summary>
    public static async Task<string?> RunWorkerAsync(ClusterNodeSettings c, int port, TrainerSlots slots, PersistenceSettings persistence, Action<string> say, CancellationToken stop,
                                            Akka.Configuration.Config? user = null)
    {
        // Workers print what they train, so a log shows where each candidate went.
        IEvaluator evaluator = new Announcing(slots.Evaluator(), say);
        return await RunWorkerAsync(c, port, slots, evaluator, persistence, say, stop, user);
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

    static async Task<string?> RunWorkerAsync(ClusterNodeSettings c, int port, TrainerSlots slots, IEvaluator evaluator, PersistenceSettings persistence, Action<string> say, CancellationToken stop,
                                              Akka.Configuration.Config? user)
    {
        bool rejoining = false;
        while (!stop.IsCancellationRequested)
        {
            // A worker may be the cluster's leader, which takes the resolver's decisions: with a shared
            // journal it needs the same lease as the coordinators (its persistence settings name it).
            var lease = persistence.Provider == JournalProvider.Postgres && persistence.ConnectionString.Length > 0 ? persistence.ConnectionString : null;
            var system = ActorSystem.Create("evoact", AkkaConfig(c, port, [Trainer], null, "", user, lease));
            using var trainersStop = new CancellationTokenSource();
            var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                cluster.RegisterOnMemberUp(() => up.TrySetResult());
                // Downed by the resolver: with one seed and one worker, the seed's death leaves the worker a
                // side without a coordinator, which downs itself. Its trainers may hold the actor system's
                // termination up (a training does not stop mid-step), so this, not WhenTerminated, is the
                // signal to cancel them and join again.
                var removed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                cluster.RegisterOnMemberRemoved(() => removed.TrySetResult());
                // Waiting is what a worker started before its seed does, so it is said, and bounded: a
                // worker whose run has ended (its coordinator gone for good) must not wait unseen forever.
                var seeds = string.Join(", ", c.SeedNodes);
                var why = rejoining ? "; its coordinator is gone (its seed stopped: the run or transfer ended, or the process was killed)" : "; start the seed, or check --seed-nodes / evoact.cluster.seed-nodes";
                if (!await WaitUp(up.Task, c.WorkerWait, stop, waited => say(
                        $"waiting for a seed node of {seeds} to let this worker in ({Shown(waited)} of {Shown(c.WorkerWait)}, evoact.cluster.worker-wait)")))
                    return $"this worker ({cluster.SelfAddress}) was not let into a cluster within {Shown(c.WorkerWait)} (evoact.cluster.worker-wait): no seed node of {seeds} let it in{why}";
                say($"worker up at {cluster.SelfAddress} with {slots.Slots} trainer(s)");
                system.ActorOf(Props.Create(() => new CoordinatorWatch(lost)), "coordinator-watch");
                var monitor = system.ActorOf(Props.Create(() => new FinishMonitor(slots.Slots, done, heard)), "finish-monitor");
                StartTrainers(system, Proxy(system), slots, slots.Slots, evaluator, trainersStop.Token, monitor);
                var which = await Task.WhenAny(lost.Task, done.Task, removed.Task, system.WhenTerminated, Task.Delay(Timeout.Infinite, stop));
                // Lost after one of its trainers heard the run is finished: the coordinator exited with
                // the run, before the other slots could hear it (it tells them, but it may be gone first).
                if (which == done.Task || (which == lost.Task || which == removed.Task) && heard.Task.IsCompleted) { say("run finished"); return null; }
                if (stop.IsCancellationRequested) return null;
                say("lost the coordinator; joining again");
                rejoining = true;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return null;
            }
            finally
            {
                trainersStop.Cancel();
                await Shutdown.Bounded(system, leaveCluster: true);
            }
            await Task.Delay(TimeSpan.FromSeconds(1), stop).ContinueWith(_ => { });
        }
        return null;
    }

    /// <summary>
    /// Whether <paramref name="up"/> completes within <paramref name="limit"/>. A wait of more than a few
    /// seconds is said (a worker started before its seed), then again each minute, so it is never silent.
    /// </summary>
    static async Task<bool> WaitUp(Task up, TimeSpan limit, CancellationToken stop, Action<TimeSpan> waiting)
    {
        var started = DateTime.UtcNow;
        var next = TimeSpan.FromSeconds(5);
        while (true)
        {
            var elapsed = DateTime.UtcNow - started;
            if (elapsed >= limit) return false;
            try
            {
                await up.WaitAsync((next < limit ? next : limit) - elapsed, stop);
                return true;
            }
            catch (TimeoutException)
            {
                if (next < limit) waiting(next);
                next = next < TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : next + TimeSpan.FromMinutes(1);
            }
        }
    }

    /// <summary>A duration as HOCON writes it: 8s, 10m, 1m10s.</summary>
    static string Shown(TimeSpan t)
    {
        long seconds = (long)Math.Round(t.TotalSeconds);
        return seconds < 60 ? $"{seconds}s" : seconds % 60 == 0 ? $"{seconds / 60}m" : $"{seconds / 60}m{seconds % 60}s";
    }

    static IActorRef Proxy(ActorSystem system) =>
        system.ActorOf(ClusterSingletonProxy.Props($"/user/{PopulationName}",
            ClusterSingletonProxySettings.Create(system).WithRole(Coordinator).WithBufferSize(1000)), "population-proxy");

    public static void StartTrainers(ActorSystem system, IActorRef population, Configuration.TrainerSlots slots, int count, IEvaluator evaluator, CancellationToken cancel,
                                     IActorRef? monitor = null)
    {
        var node = Akka.Cluster.Cluster.Get(system).SelfAddress;
        for (int i = 0; i < count; i++)
            system.ActorOf(TrainerActor.Props(population, $"{node.Host}:{node.Port}/{i}", evaluator, cancel, monitor, slots.Local(i)), $"trainer-{i}");
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

    /// <summary>Completes <paramref name="done"/> when every local trainer has heard that the run is finished, <paramref name="heard"/> when one has.</summary>
    sealed class FinishMonitor : ReceiveActor
    {
        public FinishMonitor(int trainers, TaskCompletionSource done, TaskCompletionSource heard)
        {
            var finished = new HashSet<IActorRef>();
            Receive<TrainerActor.RunIsFinished>(_ =>
            {
                finished.Add(Sender);
                heard.TrySetResult();
                if (finished.Count >= trainers) done.TrySetResult();
            });
        }
    }
}
