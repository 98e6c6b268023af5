using Akka.Actor;
using Akka.TestKit.Xunit2;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Hosting;
using EvoAct.Cluster.Messages;
using EvoAct.Training.Trainer;

namespace EvoAct.Cluster.Tests.Actors;

/// <summary>The trainer's side of the pull protocol, against a test probe standing in for the population.</summary>
public sealed class TrainerActorTests() : TestKit(AkkaSetup.Build(null, ""))
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    static Work Work(long id, string expression = "relu(x)") => new("r", id, expression, new TrainerSettings());

    /// <summary>Answers from a function, on the trainer's thread, and says when each call started and returned.</summary>
    sealed class ScriptedEvaluator(Func<Work, CancellationToken, WorkResult> evaluate) : IEvaluator
    {
        public readonly ManualResetEventSlim Started = new(), Returned = new();

        public WorkResult Evaluate(Work work, string workerId, CancellationToken cancel)
        {
            Started.Set();
            try { return evaluate(work, cancel); }
            finally { Returned.Set(); }
        }
    }

    (IActorRef Trainer, Akka.TestKit.TestProbe Population, Akka.TestKit.TestProbe Monitor) Start(IEvaluator evaluator, CancellationToken cancel = default)
    {
        var population = CreateTestProbe();
        var monitor = CreateTestProbe();
        var trainer = Sys.ActorOf(TrainerActor.Props(population, "w", evaluator, cancel, monitor));
        return (trainer, population, monitor);
    }

    static WorkResult Completed(Work w) => new(w.Id, "w", "completed", 0.5, null, 0.1);

    [Fact]
    public void Trains_what_it_is_given_reports_the_result_with_its_expression_and_asks_again()
    {
        var (trainer, population, _) = Start(new ScriptedEvaluator((w, _) => Completed(w)));
        Assert.Equal("w", population.ExpectMsg<RequestWork>(Wait).WorkerId);
        population.Reply(Work(7, "tanh(x)"));
        var result = population.ExpectMsg<WorkResult>(Wait);
        Assert.Equal((7L, "completed", 0.5, "tanh(x)"), (result.Id, result.Status, result.Fitness!.Value, result.Expression));
        Assert.Equal(trainer, population.LastSender);
        population.ExpectMsg<RequestWork>(Wait);
    }

    [Fact]
    public void Asks_again_when_no_answer_comes_and_the_same_candidate_is_then_trained_once()
    {
        var calls = 0;
        var (_, population, _) = Start(new ScriptedEvaluator((w, _) => { Interlocked.Increment(ref calls); return Completed(w); }));
        population.ExpectMsg<RequestWork>(Wait);
        // The answer is lost: the trainer asks again by itself (after 5 s).
        Assert.Equal("w", population.ExpectMsg<RequestWork>(Wait).WorkerId);
        // The population answers a repeated request with the same candidate: it is trained once per answer.
        population.Reply(Work(3));
        Assert.Equal(3, population.ExpectMsg<WorkResult>(Wait).Id);
        population.ExpectMsg<RequestWork>(Wait);
        Assert.Equal(1, calls);
    }

    [Fact]
    public void No_work_makes_it_ask_again_and_a_finished_run_is_told_to_the_monitor()
    {
        var (_, population, monitor) = Start(new ScriptedEvaluator((w, _) => Completed(w)));
        population.ExpectMsg<RequestWork>(Wait);
        population.Reply(new NoWork(false));
        population.ExpectMsg<RequestWork>(Wait);
        monitor.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        population.Reply(new NoWork(true));
        monitor.ExpectMsg<TrainerActor.RunIsFinished>(Wait);
        // Still there: a finished run may be extended by a resume with a larger budget.
        population.ExpectMsg<RequestWork>(Wait);
        population.Reply(Work(9));
        Assert.Equal(9, population.ExpectMsg<WorkResult>(Wait).Id);
    }

    [Fact]
    public void After_cancel_no_result_is_sent_and_nothing_more_is_asked()
    {
        using var stop = new CancellationTokenSource();
        var evaluator = new ScriptedEvaluator((w, cancel) =>
        {
            cancel.WaitHandle.WaitOne();
            cancel.ThrowIfCancellationRequested();
            return Completed(w);
        });
        var (trainer, population, _) = Start(evaluator, stop.Token);
        population.ExpectMsg<RequestWork>(Wait);
        population.Reply(Work(1));
        Assert.True(evaluator.Started.Wait(Wait), "the evaluation did not start");
        stop.Cancel();
        Assert.True(evaluator.Returned.Wait(Wait), "the evaluation did not stop on cancel");
        // Work that arrives after the cancel is not trained either.
        trainer.Tell(Work(2), population.Ref);
        population.ExpectNoMsg(TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public void An_exception_in_the_evaluator_is_a_failed_result_with_its_reason_and_the_trainer_goes_on()
    {
        var (_, population, _) = Start(new ScriptedEvaluator((w, _) =>
            w.Id == 4 ? throw new InvalidOperationException("out of device memory\nat line 2") : Completed(w)));
        population.ExpectMsg<RequestWork>(Wait);
        population.Reply(Work(4, "sin(x)"));
        var failed = population.ExpectMsg<WorkResult>(Wait);
        Assert.Equal((4L, "failed", (double?)null, "sin(x)"), (failed.Id, failed.Status, failed.Fitness, failed.Expression));
        Assert.Equal("InvalidOperationException: out of device memory", failed.Reason);
        population.ExpectMsg<RequestWork>(Wait);
        population.Reply(Work(5));
        Assert.Equal("completed", population.ExpectMsg<WorkResult>(Wait).Status);
    }
}
