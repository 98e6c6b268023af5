using Akka.Actor;
using Akka.Persistence;
using EvoAct.Cluster.Persistence;

namespace EvoAct.Cluster.Actors;

/// <summary>
/// A persistent actor kept by a <see cref="JournalSupervisor"/>. Akka stops a persistent actor whose
/// write or recovery fails; this one first tells its supervisor why (one line, instead of Akka's error
/// log with a stack trace per failure), and tells it when it has recovered and when a write was durable,
/// which is what ends an outage.
/// </summary>
public abstract class JournaledActor : ReceivePersistentActor
{
    bool written;

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr) =>
        Context.Parent.Tell(new JournalSupervisor.ChildFailed(PostgresJournal.Reason(cause)));

    protected override void OnRecoveryFailure(Exception reason, object? message = null) =>
        Context.Parent.Tell(new JournalSupervisor.ChildFailed(PostgresJournal.Reason(reason)));

    /// <summary>Call on recovery completed.</summary>
    protected void NoteRecovered() => Context.Parent.Tell(JournalSupervisor.ChildRecovered.Instance);

    /// <summary>Call from a persist handler: the journal took a write.</summary>
    protected void NoteDurable()
    {
        if (written) return;
        written = true;
        Context.Parent.Tell(JournalSupervisor.ChildWrote.Instance);
    }
}
