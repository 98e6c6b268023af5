using Akka.Actor;
using EvoAct.Cluster.Messages;

namespace EvoAct.Cluster.Hosting;

/// <summary>
/// Hands a coordinator's reports to the process that hosts it: RunReady (the first completes
/// <see cref="RunEvents{TProgress}.Ready"/>; later ones, after journal outages, go to OnReady too),
/// progress (RunProgress of a run, TransferProgress of a transfer), journal outages and giving up.
/// </summary>
public sealed class RunEvents<TProgress> where TProgress : class
{
    public TaskCompletionSource<RunReady> Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource<TProgress> Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource<JournalGaveUp> GaveUp { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The latest progress heard, for the line printed on Ctrl-C (the coordinator may be down then).</summary>
    public volatile TProgress? Latest;

    public required Action<RunReady> OnReady { get; init; }
    public required Action<TProgress> OnProgress { get; init; }
    public required Action<JournalUnavailable> OnOutage { get; init; }
    public required Func<TProgress, bool> IsFinished { get; init; }
}

sealed class RunObserver<TProgress> : ReceiveActor where TProgress : class
{
    public RunObserver(RunEvents<TProgress> events)
    {
        Receive<RunReady>(r =>
        {
            if (events.Ready.Task.IsCompleted) events.OnReady(r);
            else events.Ready.TrySetResult(r);
        });
        Receive<TProgress>(p =>
        {
            events.Latest = p;
            events.OnProgress(p);
            if (events.IsFinished(p)) events.Finished.TrySetResult(p);
        });
        Receive<JournalUnavailable>(events.OnOutage);
        Receive<JournalGaveUp>(g => events.GaveUp.TrySetResult(g));
    }
}

static class RunObserver
{
    public static Props For<TProgress>(RunEvents<TProgress> events) where TProgress : class =>
        Props.Create(() => new RunObserver<TProgress>(events));
}
