using Akka.Coordination;
using EvoAct.Cluster.Hosting;
using EvoAct.Cluster.Persistence;
using EvoAct.Cluster.Tests.Actors;

namespace EvoAct.Cluster.Tests.Persistence;

/// <summary>The run lock and the split brain resolver's lease on the real PostgreSQL server.</summary>
public sealed class WriterLockTests
{
    readonly string run = "run-lock-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public void One_session_holds_a_run_lock_the_other_is_told_who_and_gets_it_once_the_first_is_gone()
    {
        using var first = new PostgresWriterLock(RunFixture.PostgresConnection, run, "evoact@127.0.0.1:1111");
        using var second = new PostgresWriterLock(RunFixture.PostgresConnection, run, "evoact@127.0.0.1:2222");
        Assert.IsType<LockState.Held>(first.Ensure());
        Assert.IsType<LockState.Held>(first.Ensure()); // again: still held, not stacked elsewhere
        Assert.Equal(new LockState.Taken("evoact@127.0.0.1:1111"), second.Ensure());
        using (var other = new PostgresWriterLock(RunFixture.PostgresConnection, run + "-other", "x")) Assert.IsType<LockState.Held>(other.Ensure());
        first.Dispose();
        Assert.IsType<LockState.Held>(second.Ensure());
    }

    [Fact]
    public void An_unreachable_database_is_a_retryable_state_not_a_refusal()
    {
        using var l = new PostgresWriterLock("Host=127.0.0.1;Port=1;Username=evoact;Password=evoact;Database=evoact;Timeout=2", run, "x");
        Assert.IsType<LockState.Unreachable>(l.Ensure());
    }

    [Fact]
    public void The_resolver_lease_goes_to_one_owner_at_a_time()
    {
        var config = Akka.Configuration.ConfigurationFactory.ParseString($"connection-string = \"{RunFixture.PostgresConnection}\"");
        var timeouts = new TimeoutSettings(TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(5));
        var name = "sbr-" + run;
        var a = new PostgresLease(new LeaseSettings(name, "a", timeouts, config), null!);
        var b = new PostgresLease(new LeaseSettings(name, "b", timeouts, config), null!);
        Assert.True(a.Acquire().Result);
        Assert.True(a.CheckLease());
        Assert.False(b.Acquire().Result);
        Assert.False(b.CheckLease());
        Assert.True(a.Release().Result);
        Assert.True(b.Acquire().Result);
        b.Release().Wait();
    }
}
