using System.CommandLine;
using EvoAct.Cluster.Configuration;
using EvoAct.Search.Expressions;
using EvoAct.Training.Data;

namespace EvoAct.Cli;

/// <summary>
/// Runs a command line. Bad input of any kind (arguments, expressions, config) is one line on
/// stderr and exit code 2, never a stack trace; 1 is left for failures of the work itself.
/// </summary>
public static class CommandLineRunner
{
    public const int BadInput = 2;

    public static int Run(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // One line, whatever System.CommandLine's message looks like ("Must be one of:\n\t'a'\n\t'b'").
            Console.Error.WriteLine($"evoact: {OneLine(parsed.Errors[0].Message)}");
            return BadInput;
        }
        try
        {
            // Our handler below, not System.CommandLine's, which prints stack traces and returns 1.
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (OperationCanceledException) when (StopSignal.Requested)
        {
            // Ctrl-C or SIGTERM before the command got going (the cluster forming, the journal recovering).
            Console.WriteLine("stopped");
            return 0;
        }
        catch (Exception e) when (IsBadInput(e))
        {
            Console.Error.WriteLine($"evoact: {Describe(e)}");
            return BadInput;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("EVOACT_DEBUG") is not "1")
        {
            // A failure nobody foresaw is still one line (and exit 1, not .NET's 134 with a stack trace);
            // the trace is one environment variable away for whoever debugs it.
            var inner = e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0] : e;
            Console.Error.WriteLine($"evoact: unexpected error: {inner.GetType().Name}: {OneLine(inner.Message)} (EVOACT_DEBUG=1 shows where)");
            return 1;
        }
    }

    static string OneLine(string s) => System.Text.RegularExpressions.Regex.Replace(s, @"\s+", " ").Trim();

    static bool IsBadInput(Exception e) => e is ParseException or ConfigException or UsageException or BadInputException or DatasetException or Cluster.Persistence.JournalUnavailableException;

    static string Describe(Exception e) => e switch
    {
        ConfigException c => $"config error: {c.Message}",
        _ => e.Message,
    };
}

/// <summary>A wrong command-line value that the parser cannot see (e.g. a malformed list).</summary>
public sealed class UsageException(string message) : Exception(message);
