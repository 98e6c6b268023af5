using System.Runtime.InteropServices;

namespace EvoAct.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM, for the long-running commands (run, seed, worker, transfer): the
/// first one cancels <see cref="Token"/> and the command stops gracefully with exit code 0 (.NET's
/// own handling, which would end the process at once, is cancelled). The registrations are fields:
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

    void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        requested = true;
        stop.Cancel();
    }

    public void Dispose()
    {
        interrupt.Dispose();
        terminate.Dispose();
        stop.Dispose();
    }
}
