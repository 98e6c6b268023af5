using Akka.Actor;
using EvoAct.Cluster.Messages;

namespace EvoAct.Cluster.Hosting;

/// <summary>Hands the population's RunReady and progress reports to the process that hosts the run.</summary>
sealed class RunObserver : ReceiveActor
{
    public RunObserver(TaskCompletionSource<RunReady> ready, TaskCompletionSource<RunProgress> finished, Action<RunProgress> onProgress)
    {
        Receive<RunReady>(r => ready.TrySetResult(r));
        Receive<RunProgress>(p =>
        {
            onProgress(p);
            if (p.Finished) finished.TrySetResult(p);
        });
    }
}
