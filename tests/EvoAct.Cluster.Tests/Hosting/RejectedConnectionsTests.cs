using EvoAct.Cluster.Hosting;

namespace EvoAct.Cluster.Tests.Hosting;

public class RejectedConnectionsTests
{
    static readonly DateTime T0 = new(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void The_transports_report_of_a_bad_connection_is_recognised()
    {
        Assert.True(RejectedConnections.TryParse(
            "Error caught channel [[::ffff:127.0.0.1]:4053->[::ffff:127.0.0.1]:58622](Id=728db870)", out var remote, out var channel));
        Assert.Equal("[::ffff:127.0.0.1]:58622", remote);
        Assert.Equal("728db870", channel);
        Assert.False(RejectedConnections.TryParse("Association with remote system failed", out _, out _));
    }

    [Fact]
    public void Each_connection_is_one_line_and_a_second_report_of_it_none()
    {
        var r = new RejectedConnections();
        var first = Assert.Single(r.Report("1.2.3.4:5", "aa", "TooLongFrameException: too long", T0));
        Assert.Equal("rejected a connection from 1.2.3.4:5 on the cluster port: TooLongFrameException: too long", first);
        Assert.Empty(r.Report("1.2.3.4:5", "aa", "CorruptedFrameException: on close", T0));
        Assert.Single(r.Report("1.2.3.4:6", "bb", "x", T0));
    }

    [Fact]
    public void Past_the_limit_a_minute_connections_are_counted_and_the_count_is_logged_in_the_next_minute()
    {
        var r = new RejectedConnections();
        var lines = Enumerable.Range(0, 100).SelectMany(i => r.Report($"h:{i}", $"c{i}", "x", T0.AddSeconds(i * 0.1))).ToArray();
        Assert.Equal(RejectedConnections.PerWindow, lines.Length);
        Assert.EndsWith($"(no more than {RejectedConnections.PerWindow} such lines a minute)", lines[^1]);

        var next = r.Report("h:x", "cx", "x", T0 + RejectedConnections.Window);
        Assert.Equal(2, next.Count);
        Assert.Equal($"{100 - RejectedConnections.PerWindow} more rejected connections on the cluster port were not logged", next[0]);
    }
}
