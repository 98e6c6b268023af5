using Akka.Actor;
using Akka.Event;
using EvoAct.Cluster.Messages;

namespace EvoAct.Cluster.Actors;

/// <summary>
/// One device slot. Pulls work: asks the population when free, trains, reports, asks again. Runs on
/// a pinned dispatcher (its own thread), because TorchSharp's dispose scopes are per thread and a
/// training blocks for seconds to hours.
/// </summary>
public sealed class TrainerActor : ReceiveActor, IWithTimers
{
    public const string Dispatcher = "evoact-trainer-dispatcher";

    readonly IActorRef population;
    readonly string workerId;
    readonly IEvaluator evaluator;
    readonly CancellationToken cancel;
    readonly ILoggingAdapter log = Context.GetLogger();

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef population, string workerId, IEvaluator evaluator, CancellationToken cancel) =>
        Akka.Actor.Props.Create(() => new TrainerActor(population, workerId, evaluator, cancel)).WithDispatcher(Dispatcher);

    public TrainerActor(IActorRef population, string workerId, IEvaluator evaluator, CancellationToken cancel)
    {
        (this.population, this.workerId, this.evaluator, this.cancel) = (population, workerId, evaluator, cancel);
        Receive<Work>(OnWork);
        Receive<NoWork>(n => Timers.StartSingleTimer("ask", AskAgain.Instance, TimeSpan.FromMilliseconds(n.Finished ? 1000 : 200)));
        Receive<AskAgain>(_ => population.Tell(new RequestWork(workerId)));
    }

    protected override void PreStart() => population.Tell(new RequestWork(workerId));

    void OnWork(Work work)
    {
        if (cancel.IsCancellationRequested) return;
        WorkResult result;
        try
        {
            result = evaluator.Evaluate(work, workerId, cancel);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: no result; the candidate stays in flight and is trained again on resume.
            return;
        }
        population.Tell(result);
        population.Tell(new RequestWork(workerId));
    }

    sealed class AskAgain
    {
        public static AskAgain Instance { get; } = new();
    }
}
