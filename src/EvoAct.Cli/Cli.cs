using System.CommandLine;
using EvoAct.Cluster.Configuration;
using EvoAct.Search.Expressions;
using EvoAct.Training.Data;

namespace EvoAct.Cli;

/// <summary>
/// Runs a command line. Bad input of any kind (arguments, expressions, config) is one line on
/// stderr and exit code 2, never a stack trace; 1 is left for failures of the work itself.
/// </summary>
public static class Cli
{
    public const int BadInput = 2;

    public static int Run(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // One line, whatever System.CommandLine's message looks like ("Must be one of:\n\t'a'\n\t'b'").
            var message = System.Text.RegularExpressions.Regex.Replace(parsed.Errors[0].Message, @"\s+", " ").Trim();
            Console.Error.WriteLine($"evoact: {message}");
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
    }

    static bool IsBadInput(Exception e) => e is ParseException or ConfigException or UsageException or BadInputException or DatasetException or Cluster.Persistence.JournalUnavailableException;

    static string Describe(Exception e) => e switch
    {
        ConfigException c => $"config error: {c.Message}",
        _ => e.Message,
    };
}

/// <summary>A wrong command-line value that the parser cannot see (e.g. a malformed list).</summary>
public sealed class UsageException(string message) : Exception(message);
