using Akka.Actor;
using Akka.Coordination;
using EvoAct.Cluster.Persistence;
using Npgsql;

namespace EvoAct.Cluster.Hosting;

/// <summary>
/// The split brain resolver's lease (strategy lease-majority) as a session advisory lock in the
/// journal's PostgreSQL database. When coordinators cannot see each other, the side whose leader
/// takes this lock keeps running and downs the other; a crashed node's session is gone, so its lock
/// is free, and the survivor always wins, whichever of two coordinators died. Released by the
/// resolver after its decision (release-after) or with the session.
/// </summary>
public sealed class PostgresLease : Lease
{
    const int KeySpace = 0x45764153; // "EvAS": apart from the run locks' key space

    readonly string connectionString;
    readonly object gate = new();
    NpgsqlConnection? session;
    volatile bool held;

    public PostgresLease(LeaseSettings settings, ActorSystem system) : base(settings) =>
        connectionString = settings.LeaseConfig.GetString("connection-string");

    public override Task<bool> Acquire() => Task.Run(() =>
    {
        lock (gate)
        {
            try
            {
                if (held && session is not null)
                {
                    using var ping = new NpgsqlCommand("SELECT 1", session);
                    ping.ExecuteScalar();
                    return true;
                }
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException)
            {
                Drop();
            }
            try
            {
                var s = PostgresJournal.Open(connectionString, $"evoact lease {Settings.OwnerName}");
                using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(@space, @key)", s);
                cmd.Parameters.AddWithValue("space", KeySpace);
                cmd.Parameters.AddWithValue("key", PostgresWriterLock.Key(Settings.LeaseName));
                if ((bool)cmd.ExecuteScalar()!)
                {
                    session = s;
                    held = true;
                    return true;
                }
                s.Dispose();
                return false;
            }
            catch (Exception e) when (e is JournalUnavailableException or NpgsqlException)
            {
                // No database, no lease: this side does not win. If the other side cannot reach it
                // either, both down themselves; that is the price of never running two coordinators.
                return false;
            }
        }
    });

    public override Task<bool> Acquire(Action<Exception?> leaseLostCallback) => Acquire();

    public override Task<bool> Release() => Task.Run(() =>
    {
        lock (gate) Drop();
        return true;
    });

    public override bool CheckLease() => held;

    void Drop()
    {
        held = false;
        session?.Dispose();
        session = null;
    }
}
