using Akka.Actor;
using EvoAct.Cluster.Messages;

namespace EvoAct.Cluster.Hosting;

/// <summary>
/// Hands a coordinator's RunReady and progress reports (RunProgress of a run, TransferProgress of a
/// transfer) to the process that hosts it.
/// </summary>
sealed class RunObserver<TProgress> : ReceiveActor
{
    public RunObserver(TaskCompletionSource<RunReady> ready, TaskCompletionSource<TProgress> finished, Action<TProgress> onProgress, Func<TProgress, bool> isFinished)
    {
        Receive<RunReady>(r => ready.TrySetResult(r));
        Receive<TProgress>(p =>
        {
            onProgress(p);
            if (isFinished(p)) finished.TrySetResult(p);
        });
    }
}

static class RunObserver
{
    public static Props For(TaskCompletionSource<RunReady> ready, TaskCompletionSource<RunProgress> finished, Action<RunProgress> onProgress) =>
        Props.Create(() => new RunObserver<RunProgress>(ready, finished, onProgress, p => p.Finished));
}
