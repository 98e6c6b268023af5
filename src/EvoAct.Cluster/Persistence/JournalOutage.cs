namespace EvoAct.Cluster.Persistence;

/// <summary>
/// How long to wait before the next try at the journal, and when to stop trying. Pure, so the rules
/// are tested without a journal. An outage starts with the first failure and ends with the first
/// durable write after it: a journal that only reads (SQLite on a full disk recovers the run, then
/// fails the next write) is still out. A failure long after a successful recovery, with nothing
/// written between (every trainer busy for minutes), starts a new outage instead of extending an old one.
/// </summary>
public sealed class JournalOutage(TimeSpan limit, TimeSpan firstDelay, TimeSpan maxDelay)
{
    /// <summary>Past this much quiet time after a recovery, the next failure is a new outage.</summary>
    public static readonly TimeSpan SameOutageWindow = TimeSpan.FromMinutes(1);

    DateTime? since, recoveredAt;
    int attempts;

    public TimeSpan Limit => limit;
    public bool Ongoing => since is not null;

    /// <param name="GiveUp">the outage has lasted past the limit: stop instead of retrying</param>
    public readonly record struct Verdict(TimeSpan RetryIn, bool GiveUp, TimeSpan Duration);

    public Verdict Failed(DateTime now)
    {
        if (since is null || (recoveredAt is { } r && now - r > SameOutageWindow))
        {
            since = now;
            attempts = 0;
        }
        recoveredAt = null;
        attempts++;
        var delay = TimeSpan.FromTicks(Math.Min(maxDelay.Ticks, firstDelay.Ticks * (1L << Math.Min(attempts - 1, 20))));
        var duration = now - since.Value;
        return new Verdict(delay, duration >= limit, duration);
    }

    /// <summary>The journal was read back (recovery completed).</summary>
    public void Recovered(DateTime now)
    {
        if (since is not null) recoveredAt = now;
    }

    /// <summary>A write was durable: the outage is over.</summary>
    public void Written()
    {
        since = recoveredAt = null;
        attempts = 0;
    }
}
