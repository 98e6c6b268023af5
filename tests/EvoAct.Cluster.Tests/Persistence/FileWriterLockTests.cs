using EvoAct.Cluster.Configuration;
using EvoAct.Cluster.Persistence;
using EvoAct.Cluster.Tests.Actors;

namespace EvoAct.Cluster.Tests.Persistence;

/// <summary>The per-process lock of a run on a SQLite journal (NAME.lock in the data directory).</summary>
public sealed class FileWriterLockTests : IDisposable
{
    readonly string dir = RunFixture.TempDir();

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static FileWriterLock Acquire(string dir, string run) => FileWriterLock.Acquire(dir, run, $"run '{run}'");

    [Fact]
    public void A_second_holder_of_the_same_run_is_refused_naming_the_run_and_the_lock_file()
    {
        using (Acquire(dir, "locked"))
        {
            var e = Assert.Throws<ConfigException>(() => Acquire(dir, "locked"));
            Assert.Equal("--run", e.Key);
            Assert.Equal($"--run: run 'locked' is already running in {dir} (lock file {Path.Combine(dir, "locked.lock")})", e.Message);
            // Other runs in the same directory are not held up.
            using (Acquire(dir, "other")) { }
        }
        // Released with its holder (the file is deleted on close): the run may be started again.
        Assert.False(File.Exists(Path.Combine(dir, "locked.lock")));
        using (Acquire(dir, "locked")) { }
    }
}
