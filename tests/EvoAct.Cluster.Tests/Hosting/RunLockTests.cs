using EvoAct.Cluster.Config;
using EvoAct.Cluster.Hosting;
using EvoAct.Cluster.Tests.Actors;

namespace EvoAct.Cluster.Tests.Hosting;

public sealed class RunLockTests : IDisposable
{
    readonly string dir = RunFixture.TempDir();

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void A_second_holder_of_the_same_run_is_refused_naming_the_run_and_the_lock_file()
    {
        var s = RunFixture.Settings(dir, "locked");
        using (RunLock.Acquire(s))
        {
            var e = Assert.Throws<ConfigException>(() => RunLock.Acquire(s));
            Assert.Equal("--run", e.Key);
            Assert.Equal($"--run: run 'locked' is already running in {dir} (lock file {Path.Combine(dir, "locked.lock")})", e.Message);
            // Other runs in the same directory are not held up.
            using (RunLock.Acquire(RunFixture.Settings(dir, "other"))) { }
        }
        // Released with its holder (the file is deleted on close): the run may be started again.
        Assert.False(File.Exists(Path.Combine(dir, "locked.lock")));
        using (RunLock.Acquire(s)) { }
    }
}
