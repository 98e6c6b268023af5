using Akka.Actor;
using Akka.Event;
using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Persistence;
using EvoAct.Search.Strategies;

namespace EvoAct.Cluster.Actors;

/// <summary>
/// One device slot. Pulls work: asks the population when free, trains, reports, asks again. Runs on
/// a pinned dispatcher (its own thread), because TorchSharp's dispose scopes are per thread and a
/// training blocks for seconds to hours.
///
/// A result is kept until the coordinator says it has it durably (<see cref="ResultAccepted"/>), and
/// sent again until then: during a journal outage or a singleton move the trained candidate is
/// delivered afterwards instead of lost and trained again. The trainer does not wait for that to ask
/// for more work, so a journal write is never on the path between two trainings.
/// </summary>
public sealed class TrainerActor : ReceiveActor, IWithTimers
{
    public const string Dispatcher = "evoact-trainer-dispatcher";

    readonly IActorRef population;
    readonly string workerId;
    readonly IEvaluator evaluator;
    readonly CancellationToken cancel;
    readonly IActorRef? monitor;
    readonly ILoggingAdapter log = Context.GetLogger();
    readonly Dictionary<long, WorkResult> unaccepted = new();
    // Multi-fidelity: the candidate waiting at a rung for the coordinator's decision, with its training.
    (Work Work, ITrainingSession Session, RungResult Result)? paused;

    /// <summary>How often an unaccepted result is sent again.</summary>
    public static readonly TimeSpan ResendEvery = TimeSpan.FromSeconds(2);

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="local">this slot's device and the node's threads, laid over each Work's training settings (null: the Work's own)</param>
    public static Props Props(IActorRef population, string workerId, IEvaluator evaluator, CancellationToken cancel, IActorRef? monitor = null,
                              Configuration.LocalTraining? local = null) =>
        Akka.Actor.Props.Create(() => new TrainerActor(population, workerId, evaluator, cancel, monitor, local)).WithDispatcher(Dispatcher);

    readonly Configuration.LocalTraining? local;

    public TrainerActor(IActorRef population, string workerId, IEvaluator evaluator, CancellationToken cancel, IActorRef? monitor,
                        Configuration.LocalTraining? local = null)
    {
        (this.population, this.workerId, this.evaluator, this.cancel, this.monitor, this.local) = (population, workerId, evaluator, cancel, monitor, local);
        Receive<Work>(OnWork);
        Receive<NoWork>(n =>
        {
            if (n.Finished) monitor?.Tell(RunIsFinished.Instance);
            Timers.StartSingleTimer("ask", AskAgain.Instance, TimeSpan.FromMilliseconds(n.Finished ? 1000 : 200));
        });
        Receive<AskAgain>(_ => Ask());
        Receive<Resend>(_ =>
        {
            foreach (var r in unaccepted.Values) population.Tell(r);
            if (paused is { } p) population.Tell(p.Result); // the decision may have been lost, or the coordinator restarted
        });
        Receive<ResultAccepted>(a => unaccepted.Remove(a.Id));
        Receive<RungDecision>(OnDecision);
    }


    /// <summary>
    /// Ask for work, and ask again if no answer comes: over a network, with the singleton moving or
    /// restarting, a request can be lost. The population answers a repeated request with the same work.
    /// </summary>
    void Ask()
    {
        population.Tell(new RequestWork(workerId, local?.Device));
        Timers.StartSingleTimer("ask", AskAgain.Instance, TimeSpan.FromSeconds(5));
    }

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("resend", Resend.Instance, ResendEvery);
        Ask();
    }

    void OnWork(Work work)
    {
        Timers.Cancel("ask");
        if (cancel.IsCancellationRequested || paused is not null) return; // paused: a stale answer to a repeated request
        if (local is { } l) work = work with { Training = work.Training with { Device = l.Device, Threads = l.Threads } };
        ITrainingSession session;
        try
        {
            session = work.Rungs is { Count: > 1 } ? evaluator.Start(work, workerId) : IEvaluator.Straight(evaluator, work, workerId);
        }
        catch (Exception e)
        {
            Report(Failed(work, e));
            return;
        }
        Advance(work, session);
    }

    /// <summary>Trains the session's next stage: a rung (then wait for the decision) or the end (report, ask for more).</summary>
    void Advance(Work work, ITrainingSession session)
    {
        IEvoActMessage stage;
        try
        {
            stage = session.Next(cancel);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Shutting down: no result; the candidate stays in flight and is trained again on resume.
            session.Dispose();
            return;
        }
        catch (Exception e)
        {
            // Whatever the evaluator: an exception is a failed evaluation with its reason, never a dead
            // trainer. (Restarted, this actor would ask again, get the same candidate and throw again.)
            session.Dispose();
            Report(Failed(work, e));
            return;
        }
        if (stage is RungResult r)
        {
            var rung = r with { Device = work.Training.Device };
            paused = (work, session, rung);
            population.Tell(rung);
            return;
        }
        session.Dispose();
        Report(((WorkResult)stage) with { Expression = work.Expression, Device = work.Training.Device });
    }

    void OnDecision(RungDecision d)
    {
        if (paused is not { } p || p.Work.Id != d.Id || p.Result.Rung != d.Rung) return; // a repeat of a decision already acted on
        paused = null;
        if (d.Continue)
        {
            Advance(p.Work, p.Session);
            return;
        }
        p.Session.Dispose();
        Ask();
    }

    WorkResult Failed(Work work, Exception e)
    {
        var reason = Failure.Reason(e);
        log.Warning("evaluation {0} ({1}) failed: {2}", work.Id, work.Expression, reason);
        return new WorkResult(work.Id, workerId, WireNames.Status[EvaluationStatus.Failed], null, reason, 0, null, work.Expression);
    }

    void Report(WorkResult result)
    {
        unaccepted[result.Id] = result;
        population.Tell(result);
        Ask();
    }

    protected override void PostStop()
    {
        paused?.Session.Dispose();
        base.PostStop();
    }

    public sealed class RunIsFinished
    {
        public static RunIsFinished Instance { get; } = new();
    }

    sealed class Resend
    {
        public static Resend Instance { get; } = new();
    }

    sealed class AskAgain
    {
        public static AskAgain Instance { get; } = new();
    }
}
