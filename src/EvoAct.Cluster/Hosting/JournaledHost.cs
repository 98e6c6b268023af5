using Akka.Actor;
using EvoAct.Cluster.Configuration;
using EvoAct.Cluster.Persistence;

namespace EvoAct.Cluster.Hosting;

/// <summary>
/// What `run` and `transfer` hold while they write a journal in one process: the writer lock, the
/// actor system and the stop signal of the local trainers. Disposing stops the trainers, stops the
/// system within <see cref="Shutdown.Limit"/> and always releases the lock.
/// </summary>
public sealed class JournaledHost : IAsyncDisposable
{
    readonly CancellationTokenSource trainersStop = new();
    readonly bool clustered;

    public ActorSystem System { get; }
    public WriterLocks Locks { get; }
    public CancellationToken TrainersStop => trainersStop.Token;

    JournaledHost(ActorSystem system, WriterLocks locks, bool clustered) => (System, Locks, this.clustered) = (system, locks, clustered);

    /// <param name="fileName">the SQLite lock file's name in the data directory</param>
    /// <param name="persistenceId">the journal's id, whose PostgreSQL lock is taken</param>
    /// <param name="what">how refusals name it ("run 'x'")</param>
    /// <param name="cluster">a cluster node's Akka config (<see cref="ClusterNode.AkkaConfig"/>), or null for a process of its own</param>
    public static JournaledHost Start(RunSettings s, string systemName, string fileName, string persistenceId, string what, Akka.Configuration.Config? cluster = null)
    {
        PostgresJournal.Check(s.Persistence);
        var locks = WriterLocks.AcquireForProcess(s.Persistence, s.DataDirectory, fileName, persistenceId, what);
        try
        {
            // Building the config checks the journal file: a refusal there must not leave the lock file behind.
            return new JournaledHost(ActorSystem.Create(systemName, cluster ?? AkkaSetup.Build(s.Persistence, s.DataDirectory, s.UserAkka)), locks, cluster is not null);
        }
        catch
        {
            locks.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        trainersStop.Cancel();
        try
        {
            await Shutdown.Bounded(System, leaveCluster: clustered);
        }
        finally
        {
            // trainersStop is not disposed: a trainer that outlived the shutdown limit may still wait on its token.
            Locks.Dispose();
        }
    }
}
