using Akka.Actor;
using Akka.Event;

namespace EvoAct.Cluster.Hosting;

/// <summary>
/// Akka's log, one line per event, on stdout as Akka's own logger writes it: an exception is its type
/// and the first line of its message, never a stack trace (a log of faults must stay readable), and
/// connections the transport rejects go through <see cref="RejectedConnections"/>, which limits them.
/// </summary>
public sealed class OneLineLogger : ReceiveActor
{
    readonly RejectedConnections rejected = new();

    public OneLineLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(Write);
    }

    void Write(LogEvent e)
    {
        var message = e.Message?.ToString() ?? "";
        var cause = e is Error { Cause: { } c } ? Describe(c) : null;
        if (RejectedConnections.TryParse(message, out var remote, out var channel))
        {
            foreach (var line in rejected.Report(remote, channel, cause ?? "bad data", e.Timestamp))
                Print(LogLevel.WarningLevel, e.Timestamp, e.LogSource, line);
            return;
        }
        Print(e.LogLevel(), e.Timestamp, e.LogSource, cause is null ? message : $"{message}: {cause}");
    }

    static void Print(LogLevel level, DateTime at, string source, string text)
    {
        var name = level switch
        {
            LogLevel.ErrorLevel => "ERROR", LogLevel.WarningLevel => "WARNING", LogLevel.InfoLevel => "INFO", _ => "DEBUG",
        };
        Console.Out.WriteLine($"[{name}][{at:yyyy-MM-dd HH:mm:ss.fff}Z][{source}] {OneLine(text)}");
    }

    /// <summary>An exception as "Type: first line of its message", the innermost cause's where they are wrapped.</summary>
    public static string Describe(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null && inner is AggregateException or TypeInitializationException) inner = inner.InnerException;
        return $"{inner.GetType().Name}: {OneLine(inner.Message)}";
    }

    static string OneLine(string text)
    {
        int nl = text.IndexOfAny(['\r', '\n']);
        return (nl < 0 ? text : text[..nl]).Trim();
    }
}
