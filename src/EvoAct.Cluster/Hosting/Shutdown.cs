using Akka.Actor;

namespace EvoAct.Cluster.Hosting;

/// <summary>
/// Stopping an actor system, bounded: a node whose peers are unreachable can spend Akka's whole
/// coordinated-shutdown budget (about 35 s by default), and a trainer in an uncancellable step holds
/// termination up. Past the limit the process says so in one line and goes on to exit, instead of
/// waiting silently or throwing a TimeoutException out of a finally block (an exit 134 with a stack
/// trace that also skipped releasing the writer lock).
/// </summary>
public static class Shutdown
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Terminates the system (cluster nodes: through coordinated shutdown, so they leave the cluster
    /// first); never throws. Whether it stopped in time; if not, or if stopping failed, one line to <paramref name="say"/> (stderr).
    /// </summary>
    public static async Task<bool> Bounded(ActorSystem system, bool leaveCluster = false, TimeSpan? limit = null, Action<string>? say = null)
    {
        say ??= Console.Error.WriteLine;
        var within = limit ?? Limit;
        Task stopping;
        try
        {
            stopping = leaveCluster ? CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance) : system.Terminate();
        }
        catch (Exception e)
        {
            say($"evoact: stopping the actor system failed ({e.GetType().Name}: {e.Message}); exiting anyway");
            return false;
        }
        if (await Task.WhenAny(stopping, Task.Delay(within)) != stopping)
        {
            say($"evoact: the actor system did not stop within {within.TotalSeconds:0.#} s; exiting anyway (everything settled is in the journal)");
            return false;
        }
        if (!stopping.IsFaulted) return true;
        say($"evoact: stopping the actor system failed ({stopping.Exception!.InnerException?.Message}); exiting anyway");
        return false;
    }
}
