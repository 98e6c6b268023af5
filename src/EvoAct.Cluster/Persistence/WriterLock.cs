using EvoAct.Cluster.Configuration;
using Npgsql;

namespace EvoAct.Cluster.Persistence;

/// <summary>Whether this process may write a run's journal now.</summary>
public abstract record LockState
{
    public sealed record Held : LockState;

    /// <summary>The database that holds the lock cannot be reached now: retry like a journal outage.</summary>
    public sealed record Unreachable(string Reason) : LockState;

    /// <summary>Another session holds the lock; Holder names it as far as the database knows.</summary>
    public sealed record Taken(string Holder) : LockState;

    public static readonly LockState IsHeld = new Held();
}

/// <summary>
/// One writer per run. A run's journal may be written by one process only: two would interleave
/// proposals under the same sequence numbers. SQLite's journal lives in the data directory, so a lock
/// file there guards it; a PostgreSQL journal is shared by every data directory (and host), so its
/// lock is a session-level advisory lock in the same database, released by the server when the
/// session ends (exit, kill -9, lost host).
/// </summary>
public interface IWriterLock : IDisposable
{
    /// <summary>Take the lock if it is not held (again, after a lost session), or confirm it is.</summary>
    LockState Ensure();
}

/// <summary>`NAME.lock` in the data directory, held open without sharing; deleted on close.</summary>
public sealed class FileWriterLock : IWriterLock
{
    readonly FileStream file;

    FileWriterLock(FileStream file) => this.file = file;

    /// <param name="what">the run or transfer, for the message</param>
    public static FileWriterLock Acquire(string dataDirectory, string name, string what)
    {
        Hosting.DataDirectory.Prepare(dataDirectory);
        var path = Path.Combine(dataDirectory, $"{name}.lock");
        try
        {
            return new FileWriterLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose));
        }
        catch (IOException e) when (IsLocked(e))
        {
            throw new ConfigException("--run", $"{what} is already running in {dataDirectory} (lock file {path})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only or full file system, no permission: the lock file cannot be written.
            throw Hosting.DataDirectory.Unwritable(dataDirectory, e);
        }
    }

    /// <summary>The lock is held by another process: EWOULDBLOCK from flock on Unix, a sharing violation on Windows.</summary>
    static bool IsLocked(IOException e) => OperatingSystem.IsWindows() ? (e.HResult & 0xFFFF) == 32 : e.HResult == 11;

    public LockState Ensure() => LockState.IsHeld;

    public void Dispose() => file.Dispose();
}

/// <summary>
/// A session advisory lock keyed by the journal's persistence id. The session's application_name
/// carries the holder's identity (a process id and host, or a cluster node's address), so a refusal
/// can say who holds it, and a coordinator can tell its own cluster's previous singleton (wait for
/// it to go) from another cluster writing the same run (refuse).
/// </summary>
public sealed class PostgresWriterLock : IWriterLock
{
    const int KeySpace = 0x45764163; // "EvAc": keeps EvoAct's advisory locks apart from other users of the database

    readonly string connectionString, persistenceId, identity;
    NpgsqlConnection? session;

    public PostgresWriterLock(string connectionString, string persistenceId, string identity) =>
        (this.connectionString, this.persistenceId, this.identity) = (connectionString, persistenceId, identity);

    public string Identity => identity;

    /// <summary>This process, as the application_name of its lock session.</summary>
    public static string ProcessIdentity() => $"evoact pid {Environment.ProcessId}@{Environment.MachineName}";

    /// <summary>Stable across processes and .NET versions (string.GetHashCode is randomised per process).</summary>
    public static int Key(string persistenceId)
    {
        uint h = 2166136261;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(persistenceId)) h = (h ^ b) * 16777619;
        return (int)(h & 0x7fffffff);
    }

    public LockState Ensure()
    {
        try
        {
            if (session is not null && Alive(session)) return LockState.IsHeld;
            session?.Dispose();
            session = null;
            var s = PostgresJournal.Open(connectionString, identity);
            using (var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(@space, @key)", s))
            {
                cmd.Parameters.AddWithValue("space", KeySpace);
                cmd.Parameters.AddWithValue("key", Key(persistenceId));
                if ((bool)cmd.ExecuteScalar()!)
                {
                    session = s;
                    return LockState.IsHeld;
                }
            }
            var holder = Holder(s);
            s.Dispose();
            return new LockState.Taken(holder);
        }
        catch (JournalUnavailableException e)
        {
            return new LockState.Unreachable(e.Message);
        }
        catch (NpgsqlException e)
        {
            session?.Dispose();
            session = null;
            return new LockState.Unreachable(PostgresJournal.Reason(e));
        }
    }

    static bool Alive(NpgsqlConnection s)
    {
        try
        {
            using var cmd = new NpgsqlCommand("SELECT 1", s);
            cmd.ExecuteScalar();
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException)
        {
            return false;
        }
    }

    string Holder(NpgsqlConnection s)
    {
        using var cmd = new NpgsqlCommand("""
            SELECT coalesce(nullif(a.application_name, ''), 'pid ' || l.pid) FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.classid = @space::oid AND l.objid = @key::oid AND l.objsubid = 2
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            LIMIT 1
            """, s);
        cmd.Parameters.AddWithValue("space", (long)KeySpace);
        cmd.Parameters.AddWithValue("key", (long)Key(persistenceId));
        return cmd.ExecuteScalar() as string ?? "another session";
    }

    public void Dispose()
    {
        session?.Dispose(); // closing the session releases its advisory locks
        session = null;
    }
}

/// <summary>Every lock a writer needs: the file lock always, the database's when the journal is PostgreSQL.</summary>
public sealed class WriterLocks(IReadOnlyList<IWriterLock> locks) : IWriterLock
{
    public LockState Ensure()
    {
        foreach (var l in locks)
            if (l.Ensure() is not LockState.Held and var s) return s;
        return LockState.IsHeld;
    }

    public void Dispose()
    {
        foreach (var l in locks) l.Dispose();
    }

    /// <summary>
    /// The locks of a process that writes <paramref name="persistenceId"/> (`run`, `transfer`): taken
    /// now, so a second writer is refused before it starts. Exit 2, one line naming the run.
    /// </summary>
    public static WriterLocks AcquireForProcess(PersistenceSettings p, string dataDirectory, string fileName, string persistenceId, string what)
    {
        var file = FileWriterLock.Acquire(dataDirectory, fileName, what);
        if (p.Provider != JournalProvider.Postgres) return new WriterLocks([file]);
        var db = new PostgresWriterLock(p.ConnectionString, persistenceId, PostgresWriterLock.ProcessIdentity());
        switch (db.Ensure())
        {
            case LockState.Held:
                return new WriterLocks([file, db]);
            case LockState.Taken t:
                file.Dispose();
                throw new ConfigException("--run", $"{what} is already being written by another process ({t.Holder}) on the PostgreSQL journal");
            case LockState.Unreachable u:
                file.Dispose();
                throw new JournalUnavailableException(u.Reason);
            default:
                throw new InvalidOperationException();
        }
    }
}
