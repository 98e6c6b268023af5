using Akka.Actor;
using Akka.Persistence;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Persistence;

namespace EvoAct.Cluster.Transfer;

/// <summary>Progress of a transfer: jobs done of the total, and the results so far.</summary>
public sealed record TransferProgress(int Done, int Total, bool Finished, IReadOnlyList<TransferJobDone> Results) : IEvoActMessage;

/// <summary>
/// Retrains chosen activations on a bigger setup with several seeds, over the same pull protocol as
/// the search (trainers ask, this actor answers). Journaled like a run: a resumed transfer trains only
/// the jobs not done yet.
/// </summary>
public sealed class TransferActor : JournaledActor
{
    readonly TransferPlan requested;
    readonly IActorRef owner;
    readonly TimeSpan timeout;
    TransferPlan? plan;
    readonly Dictionary<int, TransferJobDone> done = new();
    readonly Dispatch<IActorRef> dispatch = new();
    readonly HashSet<IActorRef> subscribers = new();
    readonly HashSet<IActorRef> trainers = new();
    bool finishedAnnounced;

    public override string PersistenceId { get; }

    /// <summary>The default name of a transfer: one per source run and preset unless --name says otherwise.</summary>
    public static string DefaultName(string sourceRun, string preset) => $"transfer-{sourceRun}-{preset}";

    public static Props Props(string name, TransferPlan plan, IActorRef owner, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new TransferActor(name, plan, owner, timeout));

    public TransferActor(string name, TransferPlan requested, IActorRef owner, TimeSpan timeout)
    {
        (this.requested, this.owner, this.timeout) = (requested, owner, timeout);
        PersistenceId = name;
        Recover<TransferStarted>(s => plan = s.Plan);
        Recover<TransferJobDone>(d => done[d.Job] = d);
        Recover<RecoveryCompleted>(_ => OnRecovered());
        Command<RequestWork>(r => Serve(Sender));
        Command<WorkResult>(OnResult);
        Command<Terminated>(t => { dispatch.ReleaseWorker(t.ActorRef); trainers.Remove(t.ActorRef); });
        Command<SubscribeProgress>(_ => { subscribers.Add(Sender); Sender.Tell(Progress()); });
    }

    void OnRecovered()
    {
        NoteRecovered();
        if (plan is null)
        {
            plan = requested;
            PersistAsync(new TransferStarted(Schema.Version, requested, DateTime.UtcNow), _ =>
            {
                NoteDurable();
                owner.Tell(new RunReady(PersistenceId, false, 0, [], null));
            });
            return;
        }
        if (!plan.Same(requested))
        {
            owner.Tell(new RunReady(PersistenceId, true, done.Count, [], $"refusing to resume transfer '{PersistenceId}': its activations, seeds or training setup differ from the ones it started with"));
            Context.Stop(Self);
            return;
        }
        owner.Tell(new RunReady(PersistenceId, true, done.Count, [], null));
    }

    void Serve(IActorRef worker)
    {
        Context.Watch(worker);
        trainers.Add(worker);
        dispatch.Expire(DateTime.UtcNow);
        if (dispatch.AssignedTo(worker) is { } mine && !done.ContainsKey((int)mine))
        {
            worker.Tell(WorkFor(plan!.Jobs[(int)mine]));
            return;
        }
        // Seed by seed across the activations, not activation by activation: an interrupted transfer
        // (hours on a CPU) then has every activation at nearly the same number of runs, so its partial
        // table compares them, relu included. The order of the plan itself stays, for resuming.
        var next = plan!.Jobs.Where(j => !done.ContainsKey(j.Id) && !IsAssigned(j.Id)).OrderBy(j => j.Seed).ThenBy(j => j.Id).FirstOrDefault();
        if (next is null)
        {
            worker.Tell(new NoWork(done.Count == plan.Jobs.Count));
            AnnounceIfFinished();
            return;
        }
        dispatch.Assign(next.Id, worker, DateTime.UtcNow + timeout);
        worker.Tell(WorkFor(next));
    }

    bool IsAssigned(int id) => dispatch.IsAssigned(id);

    // Test accuracy is what a target is judged by; a proxy, like the search, never reads the test set.
    Work WorkFor(TransferJob j) => new(plan!.SourceRun, j.Id, j.Activation, plan.SetupOf(j), Test: !j.OnProxy);

    void OnResult(WorkResult r)
    {
        dispatch.Complete(r.Id);
        int id = (int)r.Id;
        var from = Sender;
        if (done.ContainsKey(id) || id < 0 || id >= plan!.Jobs.Count)
        {
            from.Tell(new ResultAccepted(r.Id));
            return;
        }
        var c = r.Checked();
        var e = new TransferJobDone(Schema.Version, id, c.Status, c.TestAccuracy, c.Fitness, c.Reason, r.WorkerId, r.Seconds, DateTime.UtcNow);
        done[id] = e;
        PersistAsync(e, _ =>
        {
            NoteDurable();
            from.Tell(new ResultAccepted(r.Id));
            var p = Progress();
            foreach (var s in subscribers) s.Tell(p);
        });
        AnnounceIfFinished();
    }

    void AnnounceIfFinished()
    {
        if (finishedAnnounced || done.Count < plan!.Jobs.Count) return;
        finishedAnnounced = true;
        // Once the end is durable, every trainer hears it, not only the next to ask: a cluster worker's
        // idle slots would otherwise find this process gone and take it for a lost coordinator.
        DeferAsync(Progress(), p =>
        {
            foreach (var s in subscribers) s.Tell(p);
            foreach (var t in trainers) t.Tell(new NoWork(true));
        });
    }

    TransferProgress Progress() => new(done.Count, plan!.Jobs.Count, done.Count == plan.Jobs.Count, done.Values.OrderBy(d => d.Job).ToArray());
}
