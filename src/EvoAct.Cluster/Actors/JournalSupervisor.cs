using Akka.Actor;
using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Persistence;

namespace EvoAct.Cluster.Actors;

/// <summary>What the supervisor needs besides the child's props.</summary>
/// <param name="Lock">null: no lock to take (tests); else taken before each start of the child and checked while it runs</param>
/// <param name="IsPredecessor">a lock holder this node has seen in its own cluster (a previous singleton on its way out): wait for it, do not refuse</param>
public sealed record SupervisorOptions(string Run, string What, TimeSpan OutageLimit, Func<IWriterLock>? Lock = null, Func<string, bool>? IsPredecessor = null)
{
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1), MaxRetry = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan LockCheckEvery = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Keeps a journaled coordinator (the population, a transfer) alive across journal outages, in the
/// manner of Akka's BackoffSupervisor, with what the process must show: when the child's write or
/// recovery fails it stops, and this actor starts a new one after a growing delay, which recovers
/// from the journal, the only state that counts. Meanwhile trainers keep their work and resend their
/// results until one is accepted. The owner hears `journal unavailable: REASON; retrying in Ns`, and
/// past the outage limit <see cref="JournalGaveUp"/>, after which this actor stops.
///
/// It also holds the run's writer lock: taken before each start of the child, checked while it runs.
/// </summary>
public sealed class JournalSupervisor : ReceiveActor, IWithTimers
{
    public sealed record ChildFailed(string Reason);
    public sealed class ChildRecovered { public static ChildRecovered Instance { get; } = new(); }
    public sealed class ChildWrote { public static ChildWrote Instance { get; } = new(); }
    sealed class StartChild { public static StartChild Instance { get; } = new(); }
    sealed class CheckLock { public static CheckLock Instance { get; } = new(); }
    sealed record ChildGone(IActorRef Child);

    readonly Props childProps;
    readonly IActorRef? owner;
    readonly SupervisorOptions options;
    readonly JournalOutage outage;
    readonly HashSet<IActorRef> subscribers = new();
    IWriterLock? writerLock;
    IActorRef? child;
    string? failure;
    int incarnation;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Props child, IActorRef? owner, SupervisorOptions options) =>
        Akka.Actor.Props.Create(() => new JournalSupervisor(child, owner, options));

    public JournalSupervisor(Props childProps, IActorRef? owner, SupervisorOptions options)
    {
        (this.childProps, this.owner, this.options) = (childProps, owner, options);
        outage = new JournalOutage(options.OutageLimit, SupervisorOptions.FirstRetry, SupervisorOptions.MaxRetry);

        Receive<StartChild>(_ => Start());
        Receive<ChildFailed>(f => { if (Sender.Equals(child)) failure = f.Reason; });
        Receive<ChildRecovered>(_ => outage.Recovered(DateTime.UtcNow));
        Receive<ChildWrote>(_ => outage.Written());
        Receive<CheckLock>(_ => OnCheckLock());
        // Terminated is a system message and can overtake the child's last ChildFailed; going through
        // the mailbox once more puts the decision after it.
        Receive<Terminated>(t => Self.Tell(new ChildGone(t.ActorRef)));
        Receive<ChildGone>(g => OnChildStopped(g.Child));
        Receive<SubscribeProgress>(s =>
        {
            subscribers.Add(Sender);
            child?.Forward(s);
        });
        ReceiveAny(m => child?.Forward(m)); // while the child is down, trainers' requests are dropped: they ask again
    }

    protected override void PreStart() => Start();

    protected override void PostStop() => writerLock?.Dispose();

    void Start()
    {
        if (options.Lock is not null)
        {
            writerLock ??= options.Lock();
            switch (writerLock.Ensure())
            {
                case LockState.Unreachable u:
                    Retry(u.Reason);
                    return;
                case LockState.Taken t when options.IsPredecessor?.Invoke(t.Holder) == true:
                    Retry($"the run lock is still held by {t.Holder}, which is leaving the cluster");
                    return;
                case LockState.Taken t when incarnation == 0:
                    owner?.Tell(new RunReady(options.Run, false, 0, [], $"{options.What} is already being written by another process ({t.Holder}) on the PostgreSQL journal"));
                    Context.Stop(Self);
                    return;
                case LockState.Taken t:
                    GiveUp($"{options.What} was taken over by another process ({t.Holder}) while the journal was unavailable; stopping");
                    return;
            }
            Timers.StartPeriodicTimer("lock", CheckLock.Instance, SupervisorOptions.LockCheckEvery);
        }
        failure = null;
        child = Context.Watch(Context.ActorOf(childProps, $"journaled-{incarnation++}"));
        foreach (var s in subscribers) child.Tell(SubscribeProgress.Instance, s);
    }

    void OnChildStopped(IActorRef stopped)
    {
        if (!stopped.Equals(child)) return;
        child = null;
        // Stopped without a journal failure: by itself (a refusal) or by us. Nothing to restart.
        if (failure is null) { Context.Stop(Self); return; }
        Retry(failure);
    }

    void Retry(string reason)
    {
        var v = outage.Failed(DateTime.UtcNow);
        if (v.GiveUp)
        {
            GiveUp($"the journal has been unavailable for {Format(v.Duration)}, past evoact.run.journal-outage-limit ({Format(options.OutageLimit)}): {reason}");
            return;
        }
        owner?.Tell(new JournalUnavailable(options.Run, reason, v.RetryIn));
        Timers.StartSingleTimer("start", StartChild.Instance, v.RetryIn);
    }

    void OnCheckLock()
    {
        if (child is null || writerLock is null) return;
        switch (writerLock.Ensure())
        {
            case LockState.Taken t:
                // The lock's session was lost (a database restart) and someone else has it now: two
                // writers must never overlap, so this one stops at once.
                Context.Unwatch(child);
                Context.Stop(child);
                child = null;
                GiveUp($"{options.What} was taken over by another process ({t.Holder}) after the lock's database session was lost; stopping");
                break;
            case LockState.Unreachable:
                break; // the journal's own failures drive the retries
        }
    }

    void GiveUp(string message)
    {
        owner?.Tell(new JournalGaveUp(options.Run, message));
        Context.Stop(Self);
    }

    static string Format(TimeSpan t) =>
        t.TotalMinutes >= 1 && t.Seconds == 0 ? $"{(int)t.TotalMinutes}m" : $"{(int)Math.Round(t.TotalSeconds)}s";
}
