using System.Buffers.Binary;
using EvoAct.Cluster.Configuration;
using EvoAct.Cluster.Persistence;
using Microsoft.Data.Sqlite;
using Xunit;

namespace EvoAct.Cluster.Tests.Persistence;

/// <summary>
/// The check made before the journal opens. A checkpoint cut short by a full disk writes page 1 (whose
/// header counts the pages) before the pages that extend the file, and keeps the write-ahead log, which
/// holds every page: the journal is whole, and must open. Without the log the same file is truncated.
/// </summary>
public sealed class SqliteJournalFileTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("evoact-sqlitefile-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void A_file_shorter_than_its_header_opens_when_its_log_holds_the_rest_and_is_refused_without_it()
    {
        var source = Path.Combine(dir, "source.db");
        var cut = Path.Combine(dir, "cut.db");
        var bare = Path.Combine(dir, "bare.db");
        const int rows = 2000;
        SqliteConnection.ClearAllPools();
        using (var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = source, Pooling = false }.ToString()))
        {
            db.Open();
            Execute(db, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; CREATE TABLE t(x TEXT); INSERT INTO t VALUES ('first');");
            Execute(db, "PRAGMA wal_checkpoint(TRUNCATE);");
            Execute(db, $"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows - 1}) INSERT INTO t SELECT printf('%0200d', i) FROM n;");
            // The grown database lives in the log alone; copy both while the connection keeps the log.
            foreach (var target in new[] { cut, bare })
            {
                File.Copy(source, target);
                File.Copy(source + "-wal", target + "-wal");
            }
        }

        foreach (var target in new[] { cut, bare })
            WriteLatestPageOne(target); // what the interrupted checkpoint wrote first
        File.Delete(bare + "-wal");
        AssertShorterThanItsHeader(cut);

        SqliteJournalFile.Open(cut);
        using (var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = cut, Pooling = false }.ToString()))
        {
            db.Open();
            Assert.Equal(rows.ToString(), Execute(db, "SELECT count(*) FROM t;"));
        }

        var refused = Assert.Throws<BadInputException>(() => SqliteJournalFile.Open(bare));
        Assert.Contains("truncated SQLite database", refused.Message);
    }

    /// <summary>Copies the log's last frame of page 1 onto the file's first page.</summary>
    static void WriteLatestPageOne(string path)
    {
        var log = File.ReadAllBytes(path + "-wal");
        int pageSize = (int)BinaryPrimitives.ReadUInt32BigEndian(log.AsSpan(8));
        byte[]? page = null;
        for (int frame = 32; frame + 24 + pageSize <= log.Length; frame += 24 + pageSize)
            if (BinaryPrimitives.ReadUInt32BigEndian(log.AsSpan(frame)) == 1) page = log.AsSpan(frame + 24, pageSize).ToArray();
        Assert.NotNull(page);
        using var f = new FileStream(path, FileMode.Open, FileAccess.Write);
        f.Write(page);
    }

    static void AssertShorterThanItsHeader(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int pageSize = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(16));
        uint pages = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(28));
        Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(24)), BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(92)));
        Assert.True(bytes.Length < (long)pageSize * pages, $"{bytes.Length} bytes, the header says {pages} pages of {pageSize}");
    }

    static string? Execute(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar()?.ToString();
    }
}
