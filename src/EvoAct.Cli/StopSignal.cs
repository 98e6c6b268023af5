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

    readonly object gate = new();
    (PosixSignal Signal, long Ticks)? first;

    /// <summary>A repeat of the first signal sooner than this is one signal delivered twice, not a second request.</summary>
    static readonly TimeSpan Repeat = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The first signal stops gracefully. A second one, while that is under way (a node waiting on
    /// unreachable peers, a training step that cannot be interrupted), ends the process at once, as a
    /// user pressing Ctrl-C again expects: that is as safe as kill -9, which loses nothing settled.
    /// Except the same signal again within 0.1 s: GNU timeout, and a kill of the process group, deliver
    /// one signal to the command and again through its process group (`timeout -s INT 120 evoact run`
    /// ended at once instead of gracefully), and no one presses Ctrl-C twice that fast.
    /// </summary>
    void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        requested = true;
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        lock (gate)
        {
            if (first is { } f)
            {
                if (f.Signal == context.Signal && System.Diagnostics.Stopwatch.GetElapsedTime(f.Ticks, now) < Repeat) return;
                Console.Error.WriteLine("evoact: stopping now (second signal); everything settled is in the journal, run the same command to resume");
                Environment.Exit(130);
            }
            first = (context.Signal, now);
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
