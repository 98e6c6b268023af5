using System.Buffers.Binary;
using EvoAct.Cluster.Configuration;
using Microsoft.Data.Sqlite;

namespace EvoAct.Cluster.Persistence;

/// <summary>
/// The SQLite journal file (DIR/evoact.db), checked before Akka.Persistence opens it: a file that is
/// not SQLite, or is shorter than its header says (with no write-ahead log to hold the rest), or fails
/// SQLite's quick_check, is refused with one line naming it. Akka would fail later, deep in a journal
/// actor, after creating -wal and -shm files beside it. When the check itself has to write (a new
/// file, the WAL switch) and fails (a full disk), what it created is removed again: no 0-byte
/// evoact.db is left behind.
/// </summary>
public static class SqliteJournalFile
{
    static readonly byte[] Magic = "SQLite format 3\0"u8.ToArray();

    static readonly HashSet<string> Checked = new();

    /// <summary>
    /// Checks (or creates) the file and puts it in WAL mode; throws <see cref="BadInputException"/>.
    /// Once per file per process: the header check opens the file outside SQLite, and closing any
    /// descriptor of a file drops every POSIX lock the process holds on it, SQLite's included. A second
    /// check while this process's journal connections are open (a dashboard following the journal a
    /// run writes) would leave the writer unlocked: another process's reader then saw stale pages, and
    /// the file was corrupted.
    /// </summary>
    public static void Open(string path)
    {
        lock (Checked)
        {
            if (Checked.Contains(path) && File.Exists(path)) return; // a file deleted since is a new one: checked again
            Check(path);
            Checked.Add(path);
        }
    }

    static void Check(string path)
    {
        bool existed = File.Exists(path);
        if (existed) CheckHeader(path);
        string[] companions = [path + "-wal", path + "-shm", path + "-journal"];
        var before = companions.Where(File.Exists).ToHashSet();
        try
        {
            // No pooling: on failure the file must be closed before what was created is deleted.
            var connection = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
            using var db = new SqliteConnection(connection);
            db.Open();
            // WAL journal mode (a property of the file, so set once): a commit appends to the log
            // instead of rewriting pages, several times faster per event, and `status` can read while
            // `run` writes.
            Execute(db, "PRAGMA journal_mode=WAL;");
            var check = System.Text.RegularExpressions.Regex.Replace(Execute(db, "PRAGMA quick_check(1);") ?? "", @"\s+", " ").Trim();
            if (check is not "ok") throw new BadInputException($"{path}: the SQLite journal is corrupt (quick_check: {check})");
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException or BadInputException)
        {
            if (!existed) TryDelete(path);
            foreach (var c in companions.Where(c => !before.Contains(c))) TryDelete(c);
            if (e is BadInputException) throw;
            throw new BadInputException($"{path}: cannot use the SQLite journal: {OneLine(e)}");
        }
    }

    /// <summary>The message of an SQLite failure met while reading the journal, as one line naming the file.</summary>
    public static BadInputException Unreadable(string path, Exception e) => new($"{path}: cannot read the SQLite journal: {OneLine(e)}");

    public static bool IsSqliteFailure(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is SqliteException) return true;
        return e is AggregateException a && a.InnerExceptions.Any(IsSqliteFailure);
    }

    static void CheckHeader(string path)
    {
        var header = new byte[100];
        long length;
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            length = f.Length;
            if (length == 0) return; // SQLite's own empty database
            f.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"{path}: cannot read the SQLite journal: {e.Message}");
        }
        if (!header.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new BadInputException($"{path}: not an SQLite database (wrong header); move it away or pick another --data");
        if (length < header.Length)
            throw new BadInputException($"{path}: truncated SQLite database ({length} bytes, shorter than its header)");
        int pageSize = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(16));
        if (pageSize == 1) pageSize = 65536;
        uint pages = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(28));
        // The page count is only valid when the version-valid-for number matches the change counter.
        bool countValid = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(92)) == BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(24));
        // With a write-ahead log beside it the file may rightly be shorter than its header: a checkpoint
        // writes page 1 before the pages that extend the file, and one cut short (a full disk) leaves the
        // log intact, from which SQLite reads those pages. quick_check then judges the whole content.
        if (HasLog(path)) return;
        if (countValid && pages > 0 && length < (long)pageSize * pages)
            throw new BadInputException($"{path}: truncated SQLite database ({length} bytes; its header says {(long)pageSize * pages})");
    }

    static bool HasLog(string path)
    {
        try { return new FileInfo(path + "-wal") is { Exists: true, Length: > 0 }; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    static string? Execute(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar()?.ToString();
    }

    static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    static string OneLine(Exception e)
    {
        var inner = e;
        for (var x = e; x is not null; x = x.InnerException)
            if (x is SqliteException) { inner = x; break; }
        return inner.Message.Split('\n')[0].Trim();
    }
}
