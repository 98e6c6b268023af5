using EvoAct.Cluster.Configuration;
using Npgsql;

namespace EvoAct.Cluster.Persistence;

/// <summary>
/// The journal could not be reached at start (PostgreSQL down, wrong host or port, refused login):
/// bad input for the command, reported in one line before anything starts.
/// </summary>
public sealed class JournalUnavailableException(string message) : Exception(message);

/// <summary>Checks on the PostgreSQL journal that must happen before an actor system is built on it.</summary>
public static class PostgresJournal
{
    /// <summary>Connecting at start gives up after this; Npgsql's default (15 s) plus a retry would pass 30 s.</summary>
    const int ConnectTimeoutSeconds = 10;

    /// <summary>Parses the connection string, naming the key when it is malformed (Npgsql throws a bare ArgumentException).</summary>
    public static NpgsqlConnectionStringBuilder Parse(string connectionString, string key = "evoact.persistence.connection-string")
    {
        NpgsqlConnectionStringBuilder b;
        try
        {
            b = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            throw new ConfigException(key, $"not a valid PostgreSQL connection string: {FirstLine(e.Message)}");
        }
        if (string.IsNullOrWhiteSpace(b.Host)) throw new ConfigException(key, "not a valid PostgreSQL connection string: no Host");
        return b;
    }

    /// <summary>An open connection, or one line saying why not, within about <see cref="ConnectTimeoutSeconds"/> s.</summary>
    public static NpgsqlConnection Open(string connectionString, string applicationName)
    {
        var b = Parse(connectionString);
        if (b.Timeout > ConnectTimeoutSeconds || b.Timeout == 0) b.Timeout = ConnectTimeoutSeconds;
        b.ApplicationName = applicationName.Length > 63 ? applicationName[..63] : applicationName;
        b.Pooling = false; // a lock lives and dies with its own session
        var connection = new NpgsqlConnection(b.ConnectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            connection.Dispose();
            throw new JournalUnavailableException($"cannot reach the PostgreSQL journal at {b.Host}:{b.Port}: {Reason(e)}");
        }
    }

    /// <summary>Fails fast, in one line, when the journal is malformed or unreachable.</summary>
    public static void Check(PersistenceSettings p)
    {
        if (p.Provider != JournalProvider.Postgres) return;
        using var c = Open(p.ConnectionString, "evoact check");
    }

    /// <summary>
    /// One line for a journal failure: the innermost cause is the one that names the problem
    /// ("Connection refused", "57P01: terminating connection due to administrator command",
    /// "SQLite Error 13: 'database or disk is full'"), the wrappers around it do not.
    /// </summary>
    public static string Reason(Exception e)
    {
        var messages = new List<string>();
        for (var x = e; x is not null; x = x.InnerException) messages.Add(FirstLine(x.Message));
        if (e is AggregateException { InnerExceptions.Count: > 0 } a) return Reason(a.InnerExceptions[0]);
        // Prefer the deepest message that is not a generic wrapper's.
        var useful = messages.LastOrDefault(m => m.Length > 0 && !m.StartsWith("Exception of type", StringComparison.Ordinal)
                                                             && !m.StartsWith("One or more errors", StringComparison.Ordinal)) ?? e.GetType().Name;
        useful = useful.TrimEnd('.'); // SQLite's "... 'database or disk is full'." reads badly before "; retrying"
        return useful.Length > 200 ? useful[..200] + "..." : useful;
    }

    static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
