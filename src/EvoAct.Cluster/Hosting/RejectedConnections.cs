using System.Text.RegularExpressions;

namespace EvoAct.Cluster.Hosting;

/// <summary>
/// Connections the remoting transport rejects (garbage on the cluster port: a port scanner, an HTTP
/// probe, a node speaking another protocol): one line each, for the first <see cref="PerWindow"/> in
/// a minute, then a count. DotNetty reports one bad connection up to twice (on read and on close);
/// it is counted once, by its channel id.
/// </summary>
public sealed class RejectedConnections
{
    public const int PerWindow = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // "Error caught channel [[::ffff:127.0.0.1]:4053->[::ffff:127.0.0.1]:58622](Id=728db870)"
    static readonly Regex ChannelError = new(@"^Error caught channel \[(?<local>.*?)->(?<remote>.*?)\]\(Id=(?<id>[0-9A-Fa-f]+)\)", RegexOptions.Compiled);

    readonly Queue<string> recentIds = new();
    readonly HashSet<string> recent = new();
    DateTime windowStart = DateTime.MinValue;
    int loggedInWindow, suppressed;

    /// <summary>Whether an Akka log message is the transport's report of a bad connection; its remote address and channel id.</summary>
    public static bool TryParse(string message, out string remote, out string channel)
    {
        var m = ChannelError.Match(message);
        remote = m.Success ? m.Groups["remote"].Value : "";
        channel = m.Success ? m.Groups["id"].Value : "";
        return m.Success;
    }

    /// <summary>The lines to log for one report at <paramref name="now"/>: none (a repeat, or over the limit), or the line and perhaps the count suppressed before it.</summary>
    public IReadOnlyList<string> Report(string remote, string channel, string reason, DateTime now)
    {
        if (!recent.Add(channel)) return [];
        recentIds.Enqueue(channel);
        if (recentIds.Count > 64) recent.Remove(recentIds.Dequeue());

        var lines = new List<string>(2);
        if (now - windowStart >= Window)
        {
            if (suppressed > 0) lines.Add($"{suppressed} more rejected connections on the cluster port were not logged");
            (windowStart, loggedInWindow, suppressed) = (now, 0, 0);
        }
        if (loggedInWindow >= PerWindow)
        {
            suppressed++;
            return lines;
        }
        loggedInWindow++;
        lines.Add($"rejected a connection from {remote} on the cluster port: {reason}"
                  + (loggedInWindow == PerWindow ? $" (no more than {PerWindow} such lines a minute)" : ""));
        return lines;
    }
}
