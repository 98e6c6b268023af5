using System.Runtime.InteropServices;

namespace EvoAct.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM, for the long-running commands (run, seed, worker, transfer): the
/// first one cancels <see cref="Token"/> and the command stops gracefully with exit code 0 (.NET's
/// own handling, which would end the process at once, is cancelled); a second one ends it at once
/// with exit code 130. The registrations are fields:
/// a PosixSignalRegistration that is not referenced can be finalized, which unregisters it.
/// </summary>
public sealed class StopSignal : IDisposable
{
    readonly CancellationTokenSource stop = new();
    readonly PosixSignalRegistration interrupt, terminate;

    public StopSignal()
    {
        interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
    }

    public CancellationToken Token => stop.Token;

    /// <summary>Whether a stop was asked for in this process: a cancellation it caused is a normal end (exit 0), wherever it surfaces.</summary>
    public static bool Requested => requested;

    static volatile bool requested;

    int signals;

    /// <summary>
    /// The first signal stops gracefully. A second one, while that is under way (a node waiting on
    /// unreachable peers, a training step that cannot be interrupted), ends the process at once, as a
    /// user pressing Ctrl-C again expects: that is as safe as kill -9, which loses nothing settled.
    /// </summary>
    void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        requested = true;
        if (Interlocked.Increment(ref signals) > 1)
        {
            Console.Error.WriteLine("evoact: stopping now (second signal); everything settled is in the journal, run the same command to resume");
            Environment.Exit(130);
        }
        stop.Cancel();
    }

    public void Dispose()
    {
        interrupt.Dispose();
        terminate.Dispose();
        stop.Dispose();
    }
}
