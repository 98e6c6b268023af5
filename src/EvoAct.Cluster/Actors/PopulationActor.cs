using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Persistence;
using EvoAct.Search.Strategies;
using EvoAct.Training.Trainer;

namespace EvoAct.Cluster.Actors;

/// <summary>Settings of the population actor that are not part of the run's definition.</summary>
public sealed record PopulationOptions(string Run, RunPlan Plan, int SnapshotEvery, TimeSpan EvaluationTimeout, TimeSpan ProgressInterval);

/// <summary>
/// The persistent coordinator of one run. Thin: the decisions are <see cref="Evolution"/>'s (what
/// to propose, what a result does) and <see cref="Dispatch{T}"/>'s (who trains what). Each decision
/// is applied at once and persisted with PersistAsync, and a trainer hears of its candidate at once,
/// without waiting for the write: a journal round trip per dispatch would bound the whole search by
/// the journal's latency. That is safe because proposals are deterministic: if the coordinator dies
/// before the proposal is durable, the restarted one recomputes the same candidate under the same id
/// from the same durable events, and a result is only credited to an in-flight candidate with the
/// same expression (<see cref="WorkResult.Expression"/>), so a stale one can never be misattributed.
/// </summary>
public sealed class PopulationActor : JournaledActor, IWithTimers
{
    readonly PopulationOptions options;
    readonly IActorRef? owner;
    readonly RunState state = new(keepHistory: false);
    readonly List<IRunEvent> unwritten = new();   // applied, not yet handed to the journal: see Flush
    readonly Dispatch<IActorRef> dispatch = new();
    readonly HashSet<IActorRef> subscribers = new();
    readonly HashSet<IActorRef> trainers = new();   // every trainer that asked and is still there: told when the run is finished
    readonly ILoggingAdapter log = Context.GetLogger();
    readonly DateTime startedAt = DateTime.UtcNow;
    int trainedAtStart;
    long applied, snapshotAt; // events applied (sequence number of the last), and of the last snapshot taken
    bool progressDue;

    public ITimerScheduler Timers { get; set; } = null!;
    public override string PersistenceId { get; }

    public static string PersistenceIdOf(string run) => $"run-{run}";

    /// <summary>
    /// The coordinator gets a thread of its own. On the shared thread pool it waited behind the
    /// journal, whose SQLite commits block pool threads in fsync: on 2 cores that starved it for
    /// 100-300 ms at a time, and every trainer waited with it.
    /// </summary>
    public const string Dispatcher = "evoact-coordinator-dispatcher";

    public static Props Props(PopulationOptions options, IActorRef? owner) =>
        Akka.Actor.Props.Create(() => new PopulationActor(options, owner)).WithDispatcher(Dispatcher);

    public PopulationActor(PopulationOptions options, IActorRef? owner)
    {
        this.options = options;
        this.owner = owner;
        PersistenceId = PersistenceIdOf(options.Run);

        Recover<SnapshotOffer>(offer =>
        {
            switch (offer.Snapshot)
            {
                case RunStateSnapshot s: state.Restore(s); break;
                case RunSnapshot legacy: state.Restore(legacy); break; // written by EvoAct before compact snapshots
                default: throw new InvalidOperationException($"unknown snapshot {offer.Snapshot.GetType().Name}");
            }
            applied = snapshotAt = offer.Metadata.SequenceNr;
        });
        Recover<IRunEvent>(e => { state.Apply(e); applied = LastSequenceNr; });
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<RequestWork>(r => Serve(Sender, r));
        Command<WorkResult>(OnResult);
        Command<RungResult>(OnRung);
        Command<Terminated>(t => OnGone(t.ActorRef));
        Command<Tick>(_ => OnTick());
        Command<SubscribeProgress>(_ =>
        {
            // Seeds subscribe again every few seconds (the singleton may have moved): only a new one is answered.
            if (!subscribers.Add(Sender)) return;
            Context.Watch(Sender);
            Sender.Tell(Progress());
        });
        Command<GetProgress>(_ => Sender.Tell(Progress()));
        Command<SaveSnapshotSuccess>(s => log.Debug("snapshot at {0}", s.Metadata.SequenceNr));
        Command<SaveSnapshotFailure>(f => log.Warning("snapshot failed: {0}", f.Cause.Message));
    }

    Evolution Evolution => state.Evolution!;

    /// <summary>A run recovered already finished has nothing pending: it is finished and durable.</summary>
    bool IsRecoveryFinishedRun => Evolution.Trained == trainedAtStart && Evolution.InFlight.Count == 0;

    void OnRecovered()
    {
        NoteRecovered();
        applied = LastSequenceNr;
        var plan = options.Plan;
        if (!state.Started)
        {
            Record(new RunStarted(Schema.Version, options.Run, plan, DateTime.UtcNow), () => Ready(false, []));
            StartTimers();
            return;
        }
        var refusal = state.Plan!.Incompatibility(plan);
        if (refusal is not null)
        {
            // Nothing is written: the run stays exactly as it was.
            owner?.Tell(new RunReady(options.Run, true, Evolution.Trained, [], $"refusing to resume run '{options.Run}': {refusal}"));
            Context.Stop(Self);
            return;
        }
        var changes = state.Plan.Changes(plan);
        // Candidates that were in flight when the run stopped are trained again, first.
        foreach (var p in Evolution.InFlight.OrderBy(p => p.Id)) dispatch.Requeue(p.Id);
        trainedAtStart = Evolution.Trained;
        if (changes.Count > 0) Record(new RunReconfigured(Schema.Version, plan, changes, DateTime.UtcNow), () => Ready(true, changes));
        else Ready(true, []);
        StartTimers();
    }

    void Ready(bool resumed, IReadOnlyList<string> changes) =>
        owner?.Tell(new RunReady(options.Run, resumed, Evolution.Trained, changes, null, Evolution.Finished && Evolution.InFlight.Count == 0));

    void StartTimers()
    {
        var every = TimeSpan.FromMilliseconds(Math.Max(50, Math.Min(options.ProgressInterval.TotalMilliseconds, 1000)));
        Timers.StartPeriodicTimer("tick", Tick.Instance, every);
    }

    /// <summary>Hand the worker a candidate: a re-dispatch first, else the strategy's next proposal.</summary>
    void Serve(IActorRef worker, RequestWork request)
    {
        Context.Watch(worker);
        trainers.Add(worker);
        // A repeated request (the answer was lost) gets the same candidate again, not a second one.
        if (dispatch.AssignedTo(worker) is { } mine && Evolution.InFlightProposal(mine) is { } same)
        {
            Send(worker, same);
            return;
        }
        if (dispatch.TryTakePending(id => Evolution.InFlightProposal(id) is not null, out var again))
        {
            HandOut(worker, request, Evolution.InFlightProposal(again)!);
            return;
        }
        // Every proposal is applied at once (the next decision depends on it); the free ones this
        // request went through are written as one event, then the hand-out of the one to train.
        while (Evolution.Decide() is { } proposal)
        {
            Apply(RunState.ToEvent(proposal, DateTime.UtcNow));
            if (proposal.Kind is ProposalKind.Train or ProposalKind.FinalCheck or ProposalKind.ParentCheck) // the ones a trainer trains
            {
                HandOut(worker, request, proposal);
                return;
            }
        }
        Flush();
        worker.Tell(new NoWork(Evolution.Finished));
        if (Evolution.Finished) PublishFinished();
    }

    /// <summary>A candidate goes to a trainer: journaled (who, on which device, when), then sent without waiting for the write.</summary>
    void HandOut(IActorRef worker, RequestWork request, Proposal p)
    {
        Apply(new CandidateDispatched(Schema.Version, p.Id, request.WorkerId, request.Device ?? state.Plan!.Training.Device, DateTime.UtcNow));
        Flush();
        Send(worker, p);
    }

    void Send(IActorRef worker, Proposal p)
    {
        dispatch.Assign(p.Id, worker, DateTime.UtcNow + options.EvaluationTimeout);
        var plan = state.Plan!;
        // A re-evaluation trains its function again with seeds it has not seen: a parent check the ones
        // after the search's, the final check the ones after those (so the two never repeat a training).
        var ev = plan.Evolution;
        int offset = p.Kind switch { ProposalKind.ParentCheck => ev.ParentCheckSeedOffset, ProposalKind.FinalCheck => ev.FinalCheckSeedOffset, _ => 0 };
        var training = offset == 0 ? plan.Training : plan.Training with { Seed = plan.Training.Seed + (ulong)offset };
        worker.Tell(new Work(options.Run, p.Id, p.Expression, training, Seeds: Evolution.SeedsOf(p.Kind), RunSeed: ev.Seed,
                             Rungs: Search.Strategies.Evolution.IsRecheck(p.Kind) ? null : ev.Fidelity?.Rungs,
                             Of: Search.Strategies.Evolution.IsRecheck(p.Kind) ? p.ParentId : null, SeedOffset: offset));
    }

    void OnResult(WorkResult r)
    {
        var inFlight = Evolution.InFlightProposal(r.Id);
        var from = Sender;
        if (inFlight is null)
        {
            from.Tell(new ResultAccepted(r.Id)); // settled already (this is a resend or a duplicate): nothing to keep
            dispatch.Complete(r.Id);
            log.Debug("ignoring result {0} from {1}: not in flight (duplicate or late)", r.Id, r.WorkerId);
            return;
        }
        if (r.Expression is not null && r.Expression != inFlight.Expression)
        {
            // A result from before a restart, for the candidate that had this id then: not this one's.
            log.Warning("ignoring result {0} from {1}: it is for {2}, but {0} is now {3}", r.Id, r.WorkerId, r.Expression, inFlight.Expression);
            from.Tell(new ResultAccepted(r.Id)); // never creditable: the trainer must not keep it
            return;
        }
        dispatch.Complete(r.Id);
        var c = r.Checked();
        var settled = new EvaluationSettled(Schema.Version, r.Id, c.Status, c.Fitness, c.Reason, r.WorkerId, r.Seconds, DateTime.UtcNow, c.Seeds, c.Device);
        // The trainer keeps its result (and resends it) until it is durable.
        Record(settled, () => from.Tell(new ResultAccepted(r.Id)));
        progressDue = true;
        if (Evolution.Finished) PublishFinished();
    }

    /// <summary>
    /// A candidate at a rung short of the budget: the promotion rule decides with the scores known
    /// now, the decision is journaled, and the trainer hears it once it is durable (it resends the rung
    /// until then). A rung the candidate is already past (a retraining from scratch after its trainer
    /// was lost) is answered "go on" without a new event; one of a candidate no longer in flight, "stop".
    /// </summary>
    void OnRung(RungResult r)
    {
        var from = Sender;
        var inFlight = Evolution.InFlightProposal(r.Id);
        if (inFlight is null || r.Expression != inFlight.Expression)
        {
            from.Tell(new RungDecision(r.Id, r.Rung, Continue: false));
            return;
        }
        int current = Evolution.RungOf(r.Id);
        if (r.Rung < current)
        {
            from.Tell(new RungDecision(r.Id, r.Rung, Continue: true));
            return;
        }
        if (r.Rung > current || state.Plan!.Evolution.Fidelity is not { } fidelity || r.Rung >= fidelity.Rungs.Count - 1)
        {
            log.Warning("ignoring rung {0} of {1} from {2}: it trains towards rung {3}", r.Rung, r.Id, r.WorkerId, current);
            return;
        }
        bool promote = Evolution.WouldPromote(r.Rung, r.Score);
        Record(new RungReached(Schema.Version, r.Id, r.Rung, r.Score, promote, r.WorkerId, r.Seconds, DateTime.UtcNow, r.Seeds, r.Device),
               () => from.Tell(new RungDecision(r.Id, r.Rung, promote)));
        if (!promote)
        {
            dispatch.Complete(r.Id);
            progressDue = true;
            if (Evolution.Finished) PublishFinished();
        }
    }

    void OnGone(IActorRef actor)
    {
        subscribers.Remove(actor);
        trainers.Remove(actor);
        var ids = dispatch.ReleaseWorker(actor);
        if (ids.Count > 0) log.Warning("trainer {0} is gone; re-dispatching {1}", actor.Path, string.Join(", ", ids));
    }

    void OnTick()
    {
        var expired = dispatch.Expire(DateTime.UtcNow);
        if (expired.Count > 0) log.Warning("evaluations {0} ran past {1}; re-dispatching", string.Join(", ", expired), options.EvaluationTimeout);
        if (progressDue && subscribers.Count > 0)
        {
            var p = Progress();
            foreach (var s in subscribers) s.Tell(p);
        }
        progressDue = false;
    }

    /// <summary>An event applied but left unwritten by a handler is a bug: a later snapshot would hold it, the journal not.</summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        bool handled = base.AroundReceive(receive, message);
        if (unwritten.Count > 0) throw new InvalidOperationException($"{unwritten.Count} event(s) applied but not written while handling {message.GetType().Name}");
        return handled;
    }

    /// <summary>Apply now and persist asynchronously; run <paramref name="afterDurable"/> once written.</summary>
    void Record(IRunEvent e, Action? afterDurable)
    {
        Apply(e);
        Flush(afterDurable);
    }

    /// <summary>
    /// The one way the state changes after recovery: applied at once (the next decision may depend
    /// on it) and held until <see cref="Flush"/> writes it. Every handler flushes before it returns.
    /// </summary>
    void Apply(IRunEvent e)
    {
        state.Apply(e);
        unwritten.Add(e);
    }

    /// <summary>
    /// Persists every event applied since the last flush: consecutive proposals as one journal row (a
    /// request goes through many free ones late in a run), anything else one row each. When a snapshot is
    /// due it is captured here, when nothing applied is left unwritten (so it holds exactly the
    /// events up to the last one written), and saved once that one is durable (so it never runs
    /// ahead of the journal).
    /// </summary>
    void Flush(Action? afterDurable = null)
    {
        if (unwritten.Count == 0) return;
        var rows = Rows(unwritten);
        unwritten.Clear();
        applied += rows.Count;
        RunStateSnapshot? snapshot = null;
        if (applied - snapshotAt >= options.SnapshotEvery)
        {
            snapshot = state.Snapshot(DateTime.UtcNow);
            snapshotAt = applied;
        }
        int pending = rows.Count;   // handlers run in order: the last one runs once every row is written
        PersistAllAsync(rows, _ =>
        {
            NoteDurable();
            if (--pending > 0) return;
            afterDurable?.Invoke();
            if (snapshot is not null) SaveSnapshot(snapshot);
        });
    }

    /// <summary>The journal rows of these events: each run of two or more proposals becomes one <see cref="CandidatesProposed"/>.</summary>
    internal static IReadOnlyList<IRunEvent> Rows(IReadOnlyList<IRunEvent> events)
    {
        var rows = new List<IRunEvent>();
        var proposals = new List<CandidateProposed>();
        void Close()
        {
            if (proposals.Count == 1) rows.Add(proposals[0]);
            else if (proposals.Count > 1) rows.Add(new CandidatesProposed(Schema.Version, proposals.ToArray(), proposals[^1].At));
            proposals.Clear();
        }
        foreach (var e in events)
        {
            if (e is CandidateProposed p) { proposals.Add(p); continue; }
            Close();
            rows.Add(e);
        }
        Close();
        return rows;
    }

    bool finishedPublished, finishedDurable;

    /// <summary>
    /// Announce the end only once every event is in the journal (DeferAsync runs after all pending
    /// PersistAsync handlers): whoever hears "finished" may shut the system down at once.
    /// </summary>
    void PublishFinished()
    {
        if (finishedPublished || Evolution.InFlight.Count > 0) return;
        finishedPublished = true;
        DeferAsync(Tick.Instance, _ =>
        {
            finishedDurable = true;
            // Every trainer hears it now, not only when it next asks: a worker's last slots would
            // otherwise ask a coordinator that has already exited, and never learn that the run is over.
            foreach (var t in trainers) t.Tell(new NoWork(true));
            var p = Progress();
            foreach (var s in subscribers) s.Tell(p);
        });
    }

    RunProgress Progress()
    {
        var ev = Evolution;
        int Count(EvaluationStatus s) => ev.Count(s);
        var fitness = ev.Population.Select(i => i.Fitness).Where(double.IsFinite).Order().ToArray();
        var best = ev.Best;
        double elapsed = (DateTime.UtcNow - startedAt).TotalSeconds;
        return new RunProgress(options.Run, ev.Trained, ev.Settings.MaxEvaluations, Count(EvaluationStatus.Completed), Count(EvaluationStatus.Failed),
            Count(EvaluationStatus.Diverged), Count(EvaluationStatus.Rejected), Count(EvaluationStatus.Deduplicated), ev.InFlight.Count,
            elapsed > 0 ? (ev.Trained - trainedAtStart) / elapsed : 0, best?.Fitness, best?.Proposal.Expression,
            fitness.Length > 0 ? fitness[^1] : null, fitness.Length > 0 ? fitness[fitness.Length / 2] : null,
            ev.Finished && (finishedDurable || IsRecoveryFinishedRun),
            ev.Enumeration is { } en ? (long)en.Proposed : null, ev.Enumeration is { } n && n.Of <= long.MaxValue ? (long)n.Of : null,
            ev.FinalCheckProposed - ev.InFlight.Count(p => p.Kind == ProposalKind.FinalCheck), ev.SearchDone ? ev.FinalCheckTotal : 0);
    }

    sealed class Tick
    {
        public static Tick Instance { get; } = new();
    }
}
