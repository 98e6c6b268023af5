using EvoAct.Cluster.Persistence;

namespace EvoAct.Cluster.Tests.Persistence;

public class JournalOutageTests
{
    static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    static JournalOutage Outage() => new(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));

    [Fact]
    public void Retries_back_off_doubling_up_to_the_maximum()
    {
        var o = Outage();
        var delays = Enumerable.Range(0, 6).Select(i => o.Failed(T0.AddSeconds(i)).RetryIn.TotalSeconds).ToArray();
        Assert.Equal([1, 2, 4, 8, 10, 10], delays);
    }

    [Fact]
    public void Gives_up_once_the_outage_has_lasted_the_limit_and_not_before()
    {
        var o = Outage();
        Assert.False(o.Failed(T0).GiveUp);
        Assert.False(o.Failed(T0.AddMinutes(9)).GiveUp);
        var v = o.Failed(T0.AddMinutes(10));
        Assert.True(v.GiveUp);
        Assert.Equal(TimeSpan.FromMinutes(10), v.Duration);
    }

    [Fact]
    public void A_recovery_without_a_durable_write_does_not_end_the_outage()
    {
        // SQLite on a full disk: every recovery reads the run back, every first write fails.
        var o = Outage();
        for (int i = 0; i < 20; i++) // a failure every 30 s, each after a recovery
        {
            Assert.False(o.Failed(T0.AddSeconds(i * 30)).GiveUp);
            o.Recovered(T0.AddSeconds(i * 30 + 1));
        }
        Assert.True(o.Failed(T0.AddMinutes(10)).GiveUp);
    }

    [Fact]
    public void A_durable_write_ends_the_outage_and_resets_the_delay()
    {
        var o = Outage();
        o.Failed(T0);
        o.Failed(T0.AddSeconds(1));
        o.Written();
        Assert.False(o.Ongoing);
        var v = o.Failed(T0.AddMinutes(11));
        Assert.Equal(TimeSpan.FromSeconds(1), v.RetryIn);
        Assert.False(v.GiveUp);
    }

    [Fact]
    public void A_failure_long_after_a_recovery_with_nothing_written_starts_a_new_outage()
    {
        // Every trainer busy for a quarter of an hour after the journal came back: nothing to write, nothing wrong.
        var o = Outage();
        o.Failed(T0);
        o.Recovered(T0.AddSeconds(5));
        var v = o.Failed(T0.AddMinutes(15));
        Assert.False(v.GiveUp);
        Assert.Equal(TimeSpan.Zero, v.Duration);
    }
}
